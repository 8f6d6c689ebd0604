import OMSProto
import Testing

/// proto3 semantics: defaults are not written, missing fields read as defaults.
@Suite struct DefaultValueTests {
    @Test func emptyMessagesEncodeToZeroBytes() {
        #expect(Oms_V1_Product().serializedBytes().isEmpty)
        #expect(Oms_V1_Product().serializedSize() == 0)
        #expect(Google_Rpc_Status().serializedBytes().isEmpty)
        #expect(Oms_V1_GetServerInfoRequest().serializedBytes().isEmpty)
        var appended: [UInt8] = [7]
        Oms_V1_Product().serialize(appendingTo: &appended)
        #expect(appended == [7])
        #expect(Oms_V1_Product().serialize(into: UnsafeMutableRawBufferPointer(start: nil, count: 0)) == 0)
    }

    @Test func explicitDefaultsAreNotWritten() {
        let product = Oms_V1_Product.with {
            $0.sku = ""
            $0.status = .unspecified
            $0.weightGrams = 0
            $0.attributes = [:]
        }
        #expect(product.serializedBytes().isEmpty)
        // An empty sub-message is present, so it is written (field 4, length 0).
        #expect(Oms_V1_Product.with { $0.unitPrice = Oms_V1_Money() }.serializedBytes() == [0x22, 0x00])
    }

    @Test func zeroBytesDecodeToDefaults() throws {
        let product = try Oms_V1_Product(serializedBytes: [])
        #expect(product == Oms_V1_Product())
        #expect(product.sku == "")
        #expect(product.unitPrice == nil)
        #expect(product.status == .unspecified)
        #expect(product.attributes.isEmpty)
        #expect(product.unknownFields.isEmpty)
        // A nil base address (an empty buffer) is fine too.
        #expect(
            try Google_Rpc_Status(serializedBytes: UnsafeRawBufferPointer(start: nil, count: 0)) == Google_Rpc_Status())
    }

    @Test func initializersGiveProto3Defaults() {
        let request = Oms_V1_UpsertProductRequest()
        #expect(
            request.requestID == "" && request.product == nil && request.expectedVersion == 0 && !request.createOnly)
        #expect(Oms_V1_IdempotencyRecord().requestFingerprint == [])
        #expect(Grpc_Health_V1_HealthCheckResponse().status == .unknown)
        #expect(Oms_V1_ProductStatus() == .unspecified)
        #expect(Oms_V1_Event().payload == nil)
        #expect(Oms_V1_Event().product == Oms_V1_Product(), "an unset oneof member reads as its default")
    }
}
