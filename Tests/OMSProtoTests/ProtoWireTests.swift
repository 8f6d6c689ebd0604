import OMSProto
import Testing

/// `ProtoWire` writes what protobuf-c writes and reads back the varint fields
/// protobuf-c encoded.
@Suite struct ProtoWireTests {
    private static let interesting: [Int64] = [
        0, 1, -1, 127, 128, 300, 16_383, 16_384, Int64(Int32.max), Int64(Int32.min), Int64.max, Int64.min,
    ]

    @Test func appendsFieldsLikeProtobufC() {
        var generator = SystemRandomNumberGenerator()
        for index in 0..<500 {
            var level = Oms_V1_StockLevel()
            func pick() -> Int64 {
                index < 12
                    ? Self.interesting[index]
                    : Int64.random(in: Int64.min...Int64.max, using: &generator)
                        >> Int64.random(in: 0...63, using: &generator)
            }
            level.sku = index % 7 == 0 ? "" : "SKU-\(index)"
            level.warehouseCode = index % 5 == 0 ? "" : String(repeating: "W", count: index % 200)
            level.onHand = pick()
            level.reserved = index % 3 == 0 ? 0 : pick()
            level.available = pick()
            level.updatedAtMillis = pick()
            level.incoming = index % 4 == 0 ? 0 : pick()
            level.inTransit = pick()

            var out: [UInt8] = [9, 9]
            ProtoWire.appendString(field: 1, level.sku, to: &out)
            ProtoWire.appendString(field: 2, level.warehouseCode, to: &out)
            ProtoWire.appendInt64(field: 3, level.onHand, to: &out)
            ProtoWire.appendInt64(field: 4, level.reserved, to: &out)
            ProtoWire.appendInt64(field: 5, level.available, to: &out)
            ProtoWire.appendInt64(field: 6, level.updatedAtMillis, to: &out)
            ProtoWire.appendInt64(field: 7, level.incoming, to: &out)
            ProtoWire.appendInt64(field: 8, level.inTransit, to: &out)
            #expect(out == [9, 9] + level.serializedBytes())

            var read: [Int: Int64] = [:]
            level.serializedBytes().withUnsafeBytes { bytes in
                #expect(throws: Never.self) {
                    try ProtoWire.forEachVarintField(in: bytes) { field, value in
                        read[field] = Int64(bitPattern: value)
                    }
                }
            }
            let expected: [Int: Int64] = [
                3: level.onHand, 4: level.reserved, 5: level.available, 6: level.updatedAtMillis,
                7: level.incoming, 8: level.inTransit,
            ].filter { $0.value != 0 }
            #expect(read == expected)
        }
    }

    @Test func embeddedMessagesAreTheirEncoding() {
        var response = Oms_V1_GetStockResponse()
        response.sku = "A"
        response.warehouses = [.with { $0.onHand = 5 }, Oms_V1_StockLevel(), .with { $0.sku = "A" }]
        var out: [UInt8] = []
        ProtoWire.appendString(field: 1, "A", to: &out)
        for level in response.warehouses {
            level.serializedBytes().withUnsafeBytes { ProtoWire.appendLengthDelimited(field: 6, $0, to: &out) }
        }
        #expect(out == response.serializedBytes())
        // Field numbers above 15 take a two-byte tag.
        var tagged: [UInt8] = []
        ProtoWire.appendTag(field: 16, wireType: ProtoWire.lengthDelimited, to: &tagged)
        #expect(tagged == [0x82, 0x01])
    }

    @Test func skipsOtherWireTypesAndLastOccurrenceWins() throws {
        // field 1 fixed64, field 2 fixed32, field 3 bytes "xy", field 4 varint 1, field 4 varint 2
        let bytes: [UInt8] = [
            0x09, 1, 2, 3, 4, 5, 6, 7, 8,
            0x15, 1, 2, 3, 4,
            0x1A, 2, 0x78, 0x79,
            0x20, 1,
            0x20, 2,
        ]
        var seen: [(Int, UInt64)] = []
        try bytes.withUnsafeBytes { raw in
            try ProtoWire.forEachVarintField(in: raw) { seen.append(($0, $1)) }
        }
        #expect(seen.map(\.0) == [4, 4])
        #expect(seen.map(\.1) == [1, 2])
    }

    @Test func malformedEncodingsThrow() {
        let malformed: [[UInt8]] = [
            [0x18],  // tag without its value
            [0x18, 0x80],  // truncated varint
            [0x18] + [UInt8](repeating: 0xFF, count: 11),  // varint longer than ten bytes
            [0x1A, 5, 1, 2],  // length past the end
            [0x09, 1, 2, 3],  // truncated fixed64
            [0x15, 1],  // truncated fixed32
            [0x0B],  // start group
            [0x00, 1],  // field number 0
        ]
        for bytes in malformed {
            #expect(throws: ProtoDecodingError.self, "\(bytes)") {
                try bytes.withUnsafeBytes { raw in try ProtoWire.forEachVarintField(in: raw) { _, _ in } }
            }
        }
    }
}
