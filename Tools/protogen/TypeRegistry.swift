// Every message and enum of the descriptor set by fully qualified name, with
// the Swift and protoc-c names derived once, so fields in one file can refer
// to types from any other file.

struct MessageInfo {
    /// "oms.v1.Product" (no leading dot).
    let fullName: String
    /// "Oms_V1_Product", or "Parent.Child" for nested types.
    let swiftName: String
    let cTypeName: String
    let cLowerName: String
    let descriptor: MessageDescriptor
    let file: String
    /// SourceCodeInfo path, for comments.
    let path: String
}

struct EnumInfo {
    let fullName: String
    let swiftName: String
    let cTypeName: String
    let descriptor: EnumDescriptor
    let path: String
    /// One Swift case per distinct number, in declaration order; later values
    /// with an already-used number (allow_alias) become static aliases.
    let cases: [(name: String, value: EnumValueDescriptor)]
    let aliases: [(name: String, target: String, value: EnumValueDescriptor)]

    var defaultCase: String { cases[0].name }
}

struct GeneratorError: Error, CustomStringConvertible {
    var description: String
}

final class TypeRegistry {
    private(set) var messages: [String: MessageInfo] = [:]
    private(set) var enums: [String: EnumInfo] = [:]
    /// Message → messages it holds inline (singular and oneof message fields);
    /// a cycle here needs a heap box in Swift because structs cannot contain themselves.
    private var inlineEdges: [String: [String]] = [:]

    init(_ set: FileDescriptorSet) throws(GeneratorError) {
        for file in set.files {
            let prefix = SwiftNaming.typePrefix(package: file.package)
            let packagePrefix = file.package.isEmpty ? "" : file.package + "."
            for (index, message) in file.messages.enumerated() {
                try register(
                    message, fullName: packagePrefix + message.name,
                    swiftName: Self.topLevelName(message.name, prefix: prefix, disambiguator: "Message"),
                    file: file.name, path: "4.\(index)")
            }
            for (index, enumeration) in file.enums.enumerated() {
                try register(
                    enumeration, fullName: packagePrefix + enumeration.name,
                    swiftName: Self.topLevelName(enumeration.name, prefix: prefix, disambiguator: "Enum"),
                    path: "5.\(index)")
            }
        }
    }

    func message(_ typeName: String) throws(GeneratorError) -> MessageInfo {
        guard let info = messages[Self.key(typeName)] else {
            throw GeneratorError(description: "unknown message type \(typeName)")
        }
        return info
    }

    func enumeration(_ typeName: String) throws(GeneratorError) -> EnumInfo {
        guard let info = enums[Self.key(typeName)] else {
            throw GeneratorError(description: "unknown enum type \(typeName)")
        }
        return info
    }

    /// True when a field of `container` holding `target` inline would make the
    /// Swift struct contain itself (directly or through other messages).
    func needsBox(container: String, target: String) -> Bool {
        var visited: Set<String> = []
        var stack = [Self.key(target)]
        let goal = Self.key(container)
        while let current = stack.popLast() {
            if current == goal { return true }
            guard visited.insert(current).inserted else { continue }
            stack += inlineEdges[current] ?? []
        }
        return false
    }

    /// With a package prefix the name cannot clash (`Google_Protobuf_Any`); without one it may.
    private static func topLevelName(_ name: String, prefix: String, disambiguator: String) -> String {
        prefix.isEmpty ? SwiftNaming.typeName(name, disambiguator: disambiguator) : prefix + name
    }

    private static func key(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    private func register(
        _ message: MessageDescriptor, fullName: String, swiftName: String, file: String, path: String
    ) throws(GeneratorError) {
        guard messages[fullName] == nil else { throw GeneratorError(description: "duplicate type \(fullName)") }
        messages[fullName] = MessageInfo(
            fullName: fullName, swiftName: swiftName,
            cTypeName: ProtobufCNaming.typeName(fullName: fullName),
            cLowerName: ProtobufCNaming.lowerName(fullName: fullName),
            descriptor: message, file: file, path: path)
        inlineEdges[fullName] = message.fields
            .filter { $0.type == .message && $0.label != .repeated }
            .map { Self.key($0.typeName) }
        for (index, nested) in message.nestedMessages.enumerated() {
            try register(
                nested, fullName: fullName + "." + nested.name,
                swiftName: swiftName + "." + SwiftNaming.typeName(nested.name, disambiguator: "Message"),
                file: file, path: path + ".3.\(index)")
        }
        for (index, nested) in message.enums.enumerated() {
            try register(
                nested, fullName: fullName + "." + nested.name,
                swiftName: swiftName + "." + SwiftNaming.typeName(nested.name, disambiguator: "Enum"),
                path: path + ".4.\(index)")
        }
    }

    private func register(
        _ enumeration: EnumDescriptor, fullName: String, swiftName: String, path: String
    ) throws(GeneratorError) {
        guard enums[fullName] == nil else { throw GeneratorError(description: "duplicate type \(fullName)") }
        guard enumeration.values.first?.number == 0 else {
            throw GeneratorError(description: "enum \(fullName): proto3 requires the first value to be 0")
        }
        var cases: [(name: String, value: EnumValueDescriptor)] = []
        var aliases: [(name: String, target: String, value: EnumValueDescriptor)] = []
        var caseByNumber: [Int32: String] = [:]
        for value in enumeration.values {
            let name = SwiftNaming.enumCaseName(value.name, enumName: enumeration.name)
            if let target = caseByNumber[value.number] {
                aliases.append((name, target, value))
            } else {
                caseByNumber[value.number] = name
                cases.append((name, value))
            }
        }
        enums[fullName] = EnumInfo(
            fullName: fullName, swiftName: swiftName,
            cTypeName: ProtobufCNaming.typeName(fullName: fullName),
            descriptor: enumeration, path: path, cases: cases, aliases: aliases)
    }
}
