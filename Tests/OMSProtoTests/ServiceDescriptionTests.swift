import OMSProto
import Testing

/// Service and method descriptions and the embedded descriptor set.
@Suite struct ServiceDescriptionTests {
    @Test func methodsCarryPathsTypesAndStreaming() {
        let upsert = Oms_V1_CatalogService.Method.upsertProduct
        #expect(upsert.service == "oms.v1.CatalogService")
        #expect(upsert.name == "UpsertProduct")
        #expect(upsert.path == "/oms.v1.CatalogService/UpsertProduct")
        #expect(!upsert.clientStreaming && !upsert.serverStreaming)
        #expect(Oms_V1_CatalogService.serviceName == "oms.v1.CatalogService")
        #expect(Oms_V1_CatalogService.methodNames == ["UpsertProduct", "GetProduct", "ListProducts"])

        #expect(Grpc_Health_V1_Health.Method.check.path == "/grpc.health.v1.Health/Check")
        #expect(!Grpc_Health_V1_Health.Method.check.serverStreaming)
        #expect(Grpc_Health_V1_Health.Method.watch.serverStreaming)
        #expect(!Grpc_Health_V1_Health.Method.watch.clientStreaming)
    }

    @Test func messageNames() {
        #expect(Oms_V1_Product.protoMessageName == "oms.v1.Product")
        #expect(Google_Rpc_Status.protoMessageName == "google.rpc.Status")
        #expect(Google_Protobuf_Any.protoMessageName == "google.protobuf.Any")
        #expect(Grpc_Health_V1_HealthCheckResponse.protoMessageName == "grpc.health.v1.HealthCheckResponse")
        #expect(Google_Rpc_BadRequest.FieldViolation.protoMessageName == "google.rpc.BadRequest.FieldViolation")
    }

    @Test func embeddedDescriptorSetIndexesEveryFile() throws {
        let set = ProtoDescriptors.fileDescriptorSet
        #expect(set.first == 0x0A, "starts with FileDescriptorSet.file")
        let names = ProtoDescriptors.files.map(\.name)
        #expect(names.contains("oms/v1/catalog.proto"))
        #expect(names.contains("google/protobuf/any.proto"))
        #expect(names.contains("grpc/health/v1/health.proto"))
        let catalog = try #require(ProtoDescriptors.files.first { $0.name == "oms/v1/catalog.proto" })
        #expect(catalog.package == "oms.v1")
        #expect(catalog.dependencies == ["oms/v1/common.proto"])
        #expect(catalog.symbols.contains("oms.v1.Product"))
        #expect(catalog.symbols.contains("oms.v1.CatalogService"))
        #expect(catalog.symbols.contains("oms.v1.CatalogService.UpsertProduct"))
        // Each file's bytes are a FileDescriptorProto whose field 1 is its name.
        let proto = Array(catalog.serializedFileDescriptorProto)
        #expect(proto.first == 0x0A)
        #expect(Array(proto[2..<(2 + Int(proto[1]))]) == Array("oms/v1/catalog.proto".utf8))
        // Dependencies come before the files that import them.
        for (index, file) in ProtoDescriptors.files.enumerated() {
            for dependency in file.dependencies {
                #expect(names[..<index].contains(dependency), "\(dependency) before \(file.name)")
            }
        }
    }
}
