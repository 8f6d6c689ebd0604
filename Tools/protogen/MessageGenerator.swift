// Emits one message: the public value type (fields, oneof enums, nested types,
// codec entry points) and, separately, its internal conversion to and from the
// protobuf-c struct.

struct MessageGenerator {
    let message: MessageInfo
    let registry: TypeRegistry
    let comments: [String: String]
    private let fields: [FieldModel]

    init(_ message: MessageInfo, registry: TypeRegistry, comments: [String: String]) throws(GeneratorError) {
        self.message = message
        self.registry = registry
        self.comments = comments
        var fields: [FieldModel] = []
        for field in message.descriptor.fields {
            fields.append(try FieldModel(field, in: message, registry: registry))
        }
        self.fields = fields
    }

    private var localName: String {
        String(message.swiftName.split(separator: ".").last!)
    }

    private func oneofTypeName(_ index: Int) -> String {
        "OneOf_"
            + SwiftNaming.typeName(
                SwiftNaming.camelCase(message.descriptor.oneofNames[index], upperFirst: true), disambiguator: "Oneof")
    }

    private func oneofPropertyName(_ index: Int) -> String {
        SwiftNaming.propertyName(message.descriptor.oneofNames[index])
    }

    private func members(ofOneof index: Int) -> [(field: FieldModel, value: FieldModel.Value)] {
        fields.compactMap { field in
            if case .oneofMember(index, let value) = field.shape { return (field, value) }
            return nil
        }
    }

    // MARK: Public API

    func writeDeclaration(_ out: CodeWriter) throws(GeneratorError) {
        out.docComment(comments[message.path])
        try out.block("public struct \(localName): ProtoMessage {") { () throws(GeneratorError) in
            out.line("public static let protoMessageName = \(message.fullName.swiftLiteral)")
            out.line()
            writeStoredProperties(out)
            out.line("public var unknownFields = ProtoUnknownFields()")
            for index in message.descriptor.oneofNames.indices {
                out.line()
                writeOneofEnum(index, out)
            }
            writeConvenienceAccessors(out)
            for nested in message.descriptor.enums {
                out.line()
                let info = try registry.enumeration(message.fullName + "." + nested.name)
                EnumGenerator(info, comments: comments).write(out)
            }
            for nested in message.descriptor.nestedMessages where !nested.isMapEntry {
                out.line()
                let info = try registry.message(message.fullName + "." + nested.name)
                try MessageGenerator(info, registry: registry, comments: comments).writeDeclaration(out)
            }
            out.line()
            out.line("public init() {}")
            out.line()
            writeCodecEntryPoints(out)
        }
    }

    private func writeStoredProperties(_ out: CodeWriter) {
        var writtenOneofs: Set<Int> = []
        for (index, field) in fields.enumerated() {
            let comment = comments[message.path + ".2.\(index)"]
            switch field.shape {
            case .singular(.message(let info)):
                out.docComment(comment)
                if field.boxed {
                    // A struct cannot contain itself: the value lives in a heap box.
                    let storage = "_" + SwiftNaming.unquoted(field.swiftName)
                    out.block("public var \(field.swiftName): \(info.swiftName)? {") {
                        out.line("get { \(storage)?.value }")
                        out.line("set { \(storage) = newValue.map(ProtoBox.init) }")
                    }
                    out.line("var \(storage): ProtoBox<\(info.swiftName)>? = nil")
                } else {
                    out.line("public var \(field.swiftName): \(info.swiftName)? = nil")
                }
            case .singular(let value):
                out.docComment(comment)
                out.line(
                    "public var \(field.swiftName): \(FieldModel.swiftType(value)) = \(FieldModel.defaultValue(value))")
            case .repeated(let value):
                out.docComment(comment)
                out.line("public var \(field.swiftName): [\(FieldModel.swiftType(value))] = []")
            case .map(let key, let value, _):
                out.docComment(comment)
                out.line(
                    "public var \(field.swiftName): [\(FieldModel.swiftType(key)): \(FieldModel.swiftType(value))] = [:]"
                )
            case .oneofMember(let oneof, _):
                // The oneof property sits where its first member is declared.
                guard writtenOneofs.insert(oneof).inserted else { continue }
                out.docComment(comments[message.path + ".8.\(oneof)"])
                out.line("public var \(oneofPropertyName(oneof)): \(oneofTypeName(oneof))? = nil")
            }
            out.line()
        }
    }

    private func writeOneofEnum(_ index: Int, _ out: CodeWriter) {
        out.block("public enum \(oneofTypeName(index)): Hashable, Sendable {") {
            for (field, value) in members(ofOneof: index) {
                let indirect = field.boxed ? "indirect " : ""
                out.line("\(indirect)case \(field.swiftName)(\(FieldModel.swiftType(value)))")
            }
        }
    }

    /// Per-member accessors of each oneof, as swift-protobuf has: reading an unset
    /// member gives its default, writing one selects it.
    private func writeConvenienceAccessors(_ out: CodeWriter) {
        for index in message.descriptor.oneofNames.indices {
            let property = oneofPropertyName(index)
            for (field, value) in members(ofOneof: index) {
                out.line()
                out.block("public var \(field.swiftName): \(FieldModel.swiftType(value)) {") {
                    out.block("get {") {
                        out.line("if case .\(field.swiftName)(let value)? = \(property) { return value }")
                        out.line("return \(FieldModel.defaultValue(value))")
                    }
                    out.line("set { \(property) = .\(field.swiftName)(newValue) }")
                }
            }
        }
    }

    private func writeCodecEntryPoints(_ out: CodeWriter) {
        out.block("public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) {") {
            out.line("self = try ProtobufCCodec.decode(bytes)")
        }
        out.line()
        out.block("public func serializedSize() -> Int {") {
            out.line("ProtobufCCodec.serializedSize(self)")
        }
        out.line()
        out.block("public func serialize(into buffer: UnsafeMutableRawBufferPointer) -> Int {") {
            out.line("ProtobufCCodec.serialize(self, into: buffer)")
        }
        out.line()
        out.block("public func serializedBytes() -> [UInt8] {") {
            out.line("ProtobufCCodec.serializedBytes(self)")
        }
        out.line()
        out.block("public func serialize(appendingTo bytes: inout [UInt8]) {") {
            out.line("ProtobufCCodec.serialize(self, appendingTo: &bytes)")
        }
    }

    // MARK: protobuf-c conversion

    /// Emits the conversion extension of this message and of its nested messages.
    func writeConversions(_ out: CodeWriter) throws(GeneratorError) {
        let cType = message.cTypeName
        out.block("extension \(message.swiftName): ProtobufCMessageConvertible {") {
            out.line("typealias CMessage = \(cType)")
            out.line()
            out.block("static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> {") {
                out.line("\(ProtobufCNaming.descriptorAccessor(fullName: message.fullName))()")
            }
            out.line()
            out.block("static func initialize(_ c: UnsafeMutablePointer<\(cType)>) {") {
                out.line("\(message.cLowerName)__init(c)")
            }
            out.line()
            out.block("init(cMessage c: UnsafePointer<\(cType)>) {") {
                out.line("self.init()")
                writeReads(out)
                out.line("self.unknownFields = ProtoUnknownFields(c.pointee.base)")
            }
            out.line()
            out.block("func fill(_ c: UnsafeMutablePointer<\(cType)>, arena: ProtobufCArena) {") {
                writeWrites(out)
                out.line("self.unknownFields.write(into: &c.pointee.base, arena: arena)")
            }
        }
        for nested in message.descriptor.nestedMessages where !nested.isMapEntry {
            out.line()
            let info = try registry.message(message.fullName + "." + nested.name)
            try MessageGenerator(info, registry: registry, comments: comments).writeConversions(out)
        }
    }

    private func writeReads(_ out: CodeWriter) {
        for field in fields {
            let c = "c.pointee.\(field.cMember)"
            let count = "c.pointee.\(field.cCountMember)"
            switch field.shape {
            case .singular(let value):
                out.line("self.\(field.swiftName) = \(FieldModel.readExpression(value, from: c))")
            case .repeated(.message(let info)):
                let convert = "{ \(info.swiftName)(cMessage: $0) }"
                out.line("self.\(field.swiftName) = ProtobufCRead.messages(\(c), count: \(count)) \(convert)")
            case .repeated(let value) where FieldModel.isLayoutCompatibleScalar(value):
                out.line("self.\(field.swiftName) = ProtobufCRead.array(\(c), count: \(count))")
            case .repeated(let value):
                let convert = "{ \(FieldModel.readExpression(value, from: "$0")) }"
                out.line("self.\(field.swiftName) = ProtobufCRead.array(\(c), count: \(count)) \(convert)")
            case .map(let key, let value, _):
                out.line("self.\(field.swiftName).reserveCapacity(\(count))")
                out.block("for case let entry? in ProtobufCRead.entries(\(c), count: \(count)) {") {
                    let keyExpression = FieldModel.readExpression(key, from: "entry.pointee.key")
                    var valueExpression = FieldModel.readExpression(value, from: "entry.pointee.value")
                    if case .message = value {
                        // An entry without a value means the value's default: an empty message.
                        valueExpression += " ?? \(FieldModel.defaultValue(value))"
                    }
                    out.line("self.\(field.swiftName)[\(keyExpression)] = \(valueExpression)")
                }
            case .oneofMember:
                continue  // read per oneof below
            }
        }
        for index in message.descriptor.oneofNames.indices {
            let caseMember = ProtobufCNaming.oneofCaseMember(message.descriptor.oneofNames[index])
            let property = oneofPropertyName(index)
            let enumType = message.swiftName + "." + oneofTypeName(index)
            out.switchBlock("switch c.pointee.\(ProtobufCNaming.swiftMember(caseMember)).rawValue {") {
                for (field, value) in members(ofOneof: index) {
                    let c = "c.pointee.\(field.cMember)"
                    out.line("case \(field.descriptor.number):")
                    if case .message(let info) = value {
                        let member = "\(enumType).\(field.swiftName)(\(info.swiftName)(cMessage: $0))"
                        out.line("    self.\(property) = \(c).map { \(member) }")
                    } else {
                        out.line(
                            "    self.\(property) = .\(field.swiftName)(\(FieldModel.readExpression(value, from: c)))")
                    }
                }
                out.line("default:")
                out.line("    break")
            }
        }
    }

    private func writeWrites(_ out: CodeWriter) {
        for field in fields {
            let c = "c.pointee.\(field.cMember)"
            let swift = "self.\(field.swiftName)"
            switch field.shape {
            case .singular(.message):
                out.line("if let value = \(swift) { \(c) = arena.message(value) }")
            case .singular(let value):
                for statement in FieldModel.writeStatements(value, swift: swift, into: c, skipDefault: true) {
                    out.line(statement)
                }
            case .repeated(let value):
                out.block("if !\(swift).isEmpty {") {
                    out.line("c.pointee.\(field.cCountMember) = \(swift).count")
                    out.line("\(c) = \(FieldModel.arrayExpression(value, swift: swift))")
                }
            case .map(let key, let value, let entry):
                out.block("if !\(swift).isEmpty {") {
                    out.line("c.pointee.\(field.cCountMember) = \(swift).count")
                    let arguments =
                        "\(swift), as: \(entry.cTypeName).self, initialize: { \(entry.cLowerName)__init($0) }"
                    out.block("\(c) = arena.mapEntries(\(arguments)) { entry, key, value in") {
                        for statement in FieldModel.writeStatements(
                            key, swift: "key", into: "entry.pointee.key", skipDefault: true)
                        {
                            out.line(statement)
                        }
                        for statement in FieldModel.writeStatements(
                            value, swift: "value", into: "entry.pointee.value", skipDefault: true)
                        {
                            out.line(statement)
                        }
                    }
                }
            case .oneofMember:
                continue
            }
        }
        for index in message.descriptor.oneofNames.indices {
            let caseMember = ProtobufCNaming.oneofCaseMember(message.descriptor.oneofNames[index])
            out.switchBlock("switch self.\(oneofPropertyName(index)) {") {
                for (field, value) in members(ofOneof: index) {
                    out.line("case .\(field.swiftName)(let value)?:")
                    let caseField = "c.pointee.\(ProtobufCNaming.swiftMember(caseMember))"
                    out.line("    \(caseField) = .init(rawValue: \(field.descriptor.number))")
                    // A set member is written even when it holds its default: presence is the point of a oneof.
                    for statement in FieldModel.writeStatements(
                        value, swift: "value", into: "c.pointee.\(field.cMember)", skipDefault: false)
                    {
                        out.line("    " + statement)
                    }
                }
                out.line("case nil:")
                out.line("    break")
            }
        }
    }
}
