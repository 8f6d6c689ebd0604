import OMSProto
import Testing

/// Enum naming follows swift-protobuf: the enum's name is stripped as a prefix
/// and the rest camel-cased; `protoName` keeps the .proto spelling.
@Suite struct EnumTests {
    @Test func caseNamesAndRawValues() {
        #expect(Oms_V1_ProductStatus.allCases == [.unspecified, .active, .discontinued])
        #expect(Oms_V1_ProductStatus.active.rawValue == 1)
        #expect(Oms_V1_ProductStatus(rawValue: 2) == .discontinued)
        #expect(Oms_V1_ProductStatus(rawValue: 3) == .UNRECOGNIZED(3))
        typealias Serving = Grpc_Health_V1_HealthCheckResponse.ServingStatus
        #expect(Serving.allCases == [.unknown, .serving, .notServing, .serviceUnknown])
    }

    @Test func protoNames() {
        #expect(Oms_V1_ProductStatus.active.protoName == "PRODUCT_STATUS_ACTIVE")
        #expect(Oms_V1_ProductStatus(protoName: "PRODUCT_STATUS_DISCONTINUED") == .discontinued)
        #expect(Oms_V1_ProductStatus(protoName: "active") == nil)
        #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus.notServing.protoName == "NOT_SERVING")
        for status in Oms_V1_ProductStatus.allCases {
            #expect(Oms_V1_ProductStatus(protoName: status.protoName) == status)
        }
    }

    @Test func rawRepresentableConformance() {
        func viaProtocol<E: ProtoEnum>(_: E.Type, _ raw: Int32) -> E? { E(rawValue: raw) }
        #expect(viaProtocol(Oms_V1_ProductStatus.self, 1) == .active)
        #expect(viaProtocol(Oms_V1_ProductStatus.self, 99) == .UNRECOGNIZED(99))
    }
}
