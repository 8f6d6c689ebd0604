import OMSProto
import Testing

/// Fields and enum values this build does not know survive decode → encode,
/// as protobuf requires of anything that stores or forwards messages.
@Suite struct UnknownFieldTests {
    /// Field 99 varint 150, field 100 "xyz", field 101 fixed32, field 102 fixed64.
    static let unknownBytes: [UInt8] =
        [0x98, 0x06, 0x96, 0x01]
        + [0xA2, 0x06, 0x03, 0x78, 0x79, 0x7A]
        + [0xAD, 0x06, 0x01, 0x02, 0x03, 0x04]
        + [0xB1, 0x06, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]

    @Test func unknownFieldsAreKeptAndWrittenBack() throws {
        let known = TestMessages.product.serializedBytes()
        let decoded = try Oms_V1_Product(serializedBytes: known + Self.unknownBytes)
        #expect(decoded.sku == TestMessages.product.sku)
        #expect(!decoded.unknownFields.isEmpty)
        #expect(decoded.unknownFields.serializedBytes == Self.unknownBytes)
        // protobuf-c writes unknown fields after the known ones, in the order read.
        #expect(decoded.serializedBytes() == known + Self.unknownBytes)
        #expect(decoded.serializedSize() == known.count + Self.unknownBytes.count)
        #expect(decoded != TestMessages.product, "unknown fields are part of a message's value")

        var cleared = decoded
        cleared.unknownFields = ProtoUnknownFields()
        #expect(cleared == TestMessages.product)
    }

    @Test func unknownFieldsInNestedAndRepeatedMessages() throws {
        // Money (field 4 of Product) with an extra field 7 = 1.
        let money = Oms_V1_Money.with { $0.currencyCode = "USD" }.serializedBytes() + [0x38, 0x01]
        let product: [UInt8] = [0x22, UInt8(money.count)] + money
        let list: [UInt8] = [0x0A, UInt8(product.count)] + product
        let decoded = try Oms_V1_ListProductsResponse(serializedBytes: list)
        #expect(decoded.products.first?.unitPrice?.unknownFields.serializedBytes == [0x38, 0x01])
        #expect(decoded.serializedBytes() == list)
    }

    @Test func unknownFieldsInterleavedWithKnownOnes() throws {
        let bytes: [UInt8] = [0x98, 0x06, 0x01] + [0x0A, 0x01, 0x41] + [0xA2, 0x06, 0x00]
        let decoded = try Oms_V1_Product(serializedBytes: bytes)
        #expect(decoded.sku == "A")
        // Known fields first, then unknown ones in the order they came.
        #expect(decoded.serializedBytes() == [0x0A, 0x01, 0x41, 0x98, 0x06, 0x01, 0xA2, 0x06, 0x00])
    }

    @Test func unknownEnumValueRoundTripsThroughUNRECOGNIZED() throws {
        // Product.status (field 5) = 42, a value a newer server might send.
        let decoded = try Oms_V1_Product(serializedBytes: [0x28, 0x2A])
        #expect(decoded.status == .UNRECOGNIZED(42))
        #expect(decoded.status.rawValue == 42)
        #expect(decoded.status.protoName == "42")
        #expect(decoded.serializedBytes() == [0x28, 0x2A])

        for value: Int32 in [7, -3, Int32.max, Int32.min] {
            let product = Oms_V1_Product.with { $0.status = .UNRECOGNIZED(value) }
            #expect(try Oms_V1_Product(serializedBytes: product.serializedBytes()).status == .UNRECOGNIZED(value))
        }
        let health = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: [0x08, 0x09])
        #expect(health.status == .UNRECOGNIZED(9))
        #expect(health.serializedBytes() == [0x08, 0x09])
    }
}
