import OMSProto
import Testing

/// Every kind of field in the real protos survives encode → decode unchanged,
/// and the four encode entry points agree byte for byte.
@Suite struct RoundTripTests {
    private func assertRoundTrip<M: ProtoMessage>(
        _ message: M, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let bytes = message.serializedBytes()
        #expect(bytes.count == message.serializedSize(), sourceLocation: sourceLocation)
        let decoded = try M(serializedBytes: bytes)
        #expect(decoded == message, sourceLocation: sourceLocation)
        #expect(decoded.serializedBytes() == bytes, "re-encoding is stable", sourceLocation: sourceLocation)

        var buffer = [UInt8](repeating: 0xEE, count: bytes.count + 3)
        let written = buffer.withUnsafeMutableBytes { message.serialize(into: $0) }
        #expect(written == bytes.count, sourceLocation: sourceLocation)
        #expect(Array(buffer[..<written]) == bytes, sourceLocation: sourceLocation)
        #expect(
            buffer[written...].allSatisfy { $0 == 0xEE }, "nothing written past the message",
            sourceLocation: sourceLocation)

        var appended: [UInt8] = [1, 2, 3, 4, 5]
        message.serialize(appendingTo: &appended)
        #expect(appended == [1, 2, 3, 4, 5] + bytes, sourceLocation: sourceLocation)
    }

    @Test func productWithStringsInt64EnumNestedMessageAndMap() throws {
        try assertRoundTrip(TestMessages.product)
        let decoded = try Oms_V1_Product(serializedBytes: TestMessages.product.serializedBytes())
        #expect(decoded.unitPrice?.amountMinor == -1_234_567_890_123)
        #expect(decoded.attributes["empty value"] == "")
        #expect(decoded.attributes[""] == "empty key")
        #expect(decoded.name == "Widget — ünïcødé 🚀")
    }

    @Test func boolsAndMessagesInsideMessages() throws {
        let request = Oms_V1_UpsertProductRequest.with {
            $0.requestID = "req-1"
            $0.product = TestMessages.product
            $0.expectedVersion = -3
            $0.createOnly = true
        }
        try assertRoundTrip(request)
        #expect(try Oms_V1_UpsertProductRequest(serializedBytes: request.serializedBytes()).createOnly)
        try assertRoundTrip(Oms_V1_UpsertProductResponse.with { $0.created = true })
        #expect(Oms_V1_UpsertProductResponse.with { $0.created = true }.serializedBytes() == [0x10, 0x01])
    }

    @Test func repeatedMessages() throws {
        try assertRoundTrip(TestMessages.listResponse)
        let decoded = try Oms_V1_ListProductsResponse(serializedBytes: TestMessages.listResponse.serializedBytes())
        #expect(decoded.products.count == 3)
        #expect(decoded.products[1] == Oms_V1_Product(), "an all-default element keeps its place")
    }

    @Test func statusWithRepeatedAnyCarryingBytes() throws {
        try assertRoundTrip(TestMessages.status)
        let decoded = try Google_Rpc_Status(serializedBytes: TestMessages.status.serializedBytes())
        #expect(decoded.details.count == 3)
        #expect(try Google_Rpc_BadRequest(serializedBytes: decoded.details[0].value) == TestMessages.badRequest)
        #expect(try Google_Rpc_ErrorInfo(serializedBytes: decoded.details[1].value) == TestMessages.errorInfo)
        #expect(decoded.details[2].value.isEmpty)
    }

    @Test func nestedMessageTypes() throws {
        try assertRoundTrip(TestMessages.badRequest)
        try assertRoundTrip(TestMessages.errorInfo)
        try assertRoundTrip(
            Google_Rpc_PreconditionFailure.with {
                $0.violations = [
                    .with {
                        $0.type = "TOS"
                        $0.subject = "google.com/cloud"
                        $0.description_p = "not accepted"
                    }
                ]
            })
    }

    @Test func bytesFields() throws {
        try assertRoundTrip(TestMessages.idempotencyRecord)
        try assertRoundTrip(Oms_V1_PingRequest.with { $0.payload = [UInt8](repeating: 0, count: 100_000) })
    }

    @Test func unsignedAndOneofFields() throws {
        try assertRoundTrip(
            Oms_V1_SchemaInfo.with {
                $0.version = UInt32.max
                $0.createdBy = "omsd"
            })
        try assertRoundTrip(TestMessages.event)
        #expect(try Oms_V1_Event(serializedBytes: TestMessages.event.serializedBytes()).product == TestMessages.product)
    }

    @Test func oneofMemberHoldingDefaultKeepsPresence() throws {
        let event = Oms_V1_Event.with { $0.payload = .product(Oms_V1_Product()) }
        let bytes = event.serializedBytes()
        #expect(bytes == [0x52, 0x00], "field 10, empty message")
        #expect(try Oms_V1_Event(serializedBytes: bytes).payload == .product(Oms_V1_Product()))
        #expect(try Oms_V1_Event(serializedBytes: []).payload == nil)
    }

    @Test func enumValues() throws {
        for status in Grpc_Health_V1_HealthCheckResponse.ServingStatus.allCases {
            try assertRoundTrip(Grpc_Health_V1_HealthCheckResponse.with { $0.status = status })
        }
        try assertRoundTrip(
            Oms_V1_ListProductsRequest.with {
                $0.status = .active
                $0.pageSize = -1
            })
    }

    @Test func largeMessageSpillsFromStackArenaToHeapBlocks() throws {
        let response = Oms_V1_ListProductsResponse.with { response in
            response.products = (0..<2_000).map { index in
                var product = TestMessages.product
                product.sku = "SKU-\(index)"
                product.attributes["index"] = String(index)
                return product
            }
        }
        try assertRoundTrip(response)
    }

    @Test func mapsEncodeInKeyOrderWhateverTheInsertionOrder() {
        var forward = Oms_V1_Product()
        var backward = Oms_V1_Product()
        let keys = (0..<100).map { "key-\($0 * 37 % 100)" }
        for key in keys { forward.attributes[key] = key }
        for key in keys.reversed() { backward.attributes[key] = key }
        #expect(forward.serializedBytes() == backward.serializedBytes())
    }

    @Test func decodesFromSlicesAndRawBuffers() throws {
        let bytes = TestMessages.product.serializedBytes()
        let framed = [0, 0, 0] + bytes + [9, 9]
        #expect(try Oms_V1_Product(serializedBytes: framed[3..<(3 + bytes.count)]) == TestMessages.product)
        #expect(try bytes.withUnsafeBytes { try Oms_V1_Product(serializedBytes: $0) } == TestMessages.product)
        // A non-contiguous collection takes the copying path.
        #expect(try Oms_V1_Product(serializedBytes: bytes.lazy.map { $0 }) == TestMessages.product)
    }
}
