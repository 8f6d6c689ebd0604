import OMSProto
import Testing

/// Our bytes and protoc's (the reference C++ implementation) are interchangeable.
@Suite(.enabled(if: Subprocess.which("protoc") != nil, "protoc is not installed"))
struct ProtocCompatibilityTests {
    static let productText = """
        sku: "SKU-1"
        name: "Widget"
        description: "A \\"quoted\\" widget"
        unit_price { currency_code: "USD" amount_minor: -1250 }
        status: PRODUCT_STATUS_ACTIVE
        weight_grams: 350
        attributes { key: "color" value: "red" }
        version: 3
        created_at_millis: 1700000000000
        updated_at_millis: 1700000000001
        """

    static let expectedProduct = Oms_V1_Product.with {
        $0.sku = "SKU-1"
        $0.name = "Widget"
        $0.description_p = "A \"quoted\" widget"
        $0.unitPrice = .with {
            $0.currencyCode = "USD"
            $0.amountMinor = -1250
        }
        $0.status = .active
        $0.weightGrams = 350
        $0.attributes = ["color": "red"]
        $0.version = 3
        $0.createdAtMillis = 1_700_000_000_000
        $0.updatedAtMillis = 1_700_000_000_001
    }

    private func protoc(_ mode: String, _ type: String, file: String, input: [UInt8]) throws -> [UInt8] {
        let output = try Subprocess.run(
            Subprocess.which("protoc")!,
            ["--\(mode)=\(type)", "-I\(Repository.protoDirectory)", "-I/usr/include", file], stdin: input)
        #expect(output.status == 0, "protoc --\(mode): \(output.stderr)")
        return output.stdout
    }

    @Test func decodesWhatProtocEncodes() throws {
        let bytes = try protoc(
            "encode", "oms.v1.Product", file: "oms/v1/catalog.proto", input: Array(Self.productText.utf8))
        let product = try Oms_V1_Product(serializedBytes: bytes)
        #expect(product == Self.expectedProduct)
        // Same field order and encoding rules: identical bytes.
        #expect(Self.expectedProduct.serializedBytes() == bytes)
    }

    @Test func protocDecodesWhatWeEncode() throws {
        let text = try protoc(
            "decode", "oms.v1.Product", file: "oms/v1/catalog.proto", input: Self.expectedProduct.serializedBytes())
        let rendered = String(decoding: text, as: UTF8.self)
        #expect(rendered.contains("amount_minor: -1250"))
        #expect(rendered.contains("status: PRODUCT_STATUS_ACTIVE"))
        let reencoded = try protoc("encode", "oms.v1.Product", file: "oms/v1/catalog.proto", input: text)
        #expect(try Oms_V1_Product(serializedBytes: reencoded) == Self.expectedProduct)
    }

    @Test func statusWithAnyDetailsBothWays() throws {
        let ours = TestMessages.status.serializedBytes()
        let text = try protoc("decode", "google.rpc.Status", file: "google/rpc/status.proto", input: ours)
        #expect(String(decoding: text, as: UTF8.self).contains("type.googleapis.com/google.rpc.BadRequest"))
        let theirs = try protoc("encode", "google.rpc.Status", file: "google/rpc/status.proto", input: text)
        #expect(try Google_Rpc_Status(serializedBytes: theirs) == TestMessages.status)
    }

    @Test func unknownFieldsSurviveForProtoc() throws {
        let withUnknown = try Oms_V1_Product(
            serializedBytes: Self.expectedProduct.serializedBytes() + UnknownFieldTests.unknownBytes)
        let text = String(
            decoding: try protoc(
                "decode", "oms.v1.Product", file: "oms/v1/catalog.proto", input: withUnknown.serializedBytes()),
            as: UTF8.self)
        #expect(text.contains("99: 150"))
        #expect(text.contains("100: \"xyz\""))
    }

    @Test func embeddedDescriptorSetMatchesProtoc() throws {
        let files = ProtoDescriptors.files.map(\.name).filter { !$0.hasPrefix("google/protobuf/") }
        let output = try Subprocess.run(
            Subprocess.which("protoc")!,
            [
                "--include_imports", "--descriptor_set_out=/dev/stdout", "-I\(Repository.protoDirectory)",
                "-I/usr/include",
            ]
                + files)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == ProtoDescriptors.fileDescriptorSet)
    }
}
