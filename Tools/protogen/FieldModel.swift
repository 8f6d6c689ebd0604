// How one proto field is represented in the Swift struct and in the
// protobuf-c struct, plus the Swift expressions that move it between them.

struct FieldModel {
    enum Value {
        case scalar(FieldType)
        case enumeration(EnumInfo)
        case message(MessageInfo)
    }

    enum Shape {
        /// proto3 implicit presence; a message is an Optional.
        case singular(Value)
        case repeated(Value)
        case map(key: Value, value: Value, entry: MessageInfo)
        /// Member of the message's oneof at this index.
        case oneofMember(Int, Value)
    }

    let descriptor: FieldDescriptor
    let shape: Shape
    /// Property (or oneof case) name, backticked when needed.
    let swiftName: String
    /// Member of the C struct, as written after `c.pointee.`.
    let cMember: String
    /// Member holding the element count of a repeated field.
    let cCountMember: String
    /// A message held inline that would make the struct contain itself.
    let boxed: Bool

    init(_ field: FieldDescriptor, in message: MessageInfo, registry: TypeRegistry) throws(GeneratorError) {
        descriptor = field
        swiftName = SwiftNaming.propertyName(field.name)
        let cName = ProtobufCNaming.fieldName(field.name)
        cMember = ProtobufCNaming.swiftMember(cName)
        cCountMember = "n_" + cName
        if field.proto3Optional {
            throw GeneratorError(
                description: "\(message.fullName).\(field.name): proto3 `optional` is not supported by protoc-c 1.4")
        }
        guard field.label != .required else {
            throw GeneratorError(description: "\(message.fullName).\(field.name): proto2 `required` is not supported")
        }

        let value: Value
        switch field.type {
        case .message:
            value = .message(try registry.message(field.typeName))
        case .enumeration:
            value = .enumeration(try registry.enumeration(field.typeName))
        case .group:
            throw GeneratorError(description: "\(message.fullName).\(field.name): groups are not supported")
        default:
            value = .scalar(field.type)
        }

        if case .message(let target) = value, target.descriptor.isMapEntry, field.label == .repeated {
            let entryFields = target.descriptor.fields
            guard entryFields.count == 2 else {
                throw GeneratorError(description: "map entry \(target.fullName) must have key and value")
            }
            let key = try FieldModel.value(of: entryFields[0], registry: registry)
            let mapValue = try FieldModel.value(of: entryFields[1], registry: registry)
            shape = .map(key: key, value: mapValue, entry: target)
            boxed = false
        } else if field.label == .repeated {
            shape = .repeated(value)
            boxed = false
        } else if let oneof = field.oneofIndex {
            shape = .oneofMember(oneof, value)
            if case .message(let target) = value {
                boxed = registry.needsBox(container: message.fullName, target: target.fullName)
            } else {
                boxed = false
            }
        } else {
            shape = .singular(value)
            if case .message(let target) = value {
                boxed = registry.needsBox(container: message.fullName, target: target.fullName)
            } else {
                boxed = false
            }
        }
    }

    private static func value(of field: FieldDescriptor, registry: TypeRegistry) throws(GeneratorError) -> Value {
        switch field.type {
        case .message: return .message(try registry.message(field.typeName))
        case .enumeration: return .enumeration(try registry.enumeration(field.typeName))
        default: return .scalar(field.type)
        }
    }

    // MARK: Swift types and defaults

    static func swiftType(_ value: Value) -> String {
        switch value {
        case .scalar(let type):
            switch type {
            case .double: return "Double"
            case .float: return "Float"
            case .int64, .sint64, .sfixed64: return "Int64"
            case .uint64, .fixed64: return "UInt64"
            case .int32, .sint32, .sfixed32: return "Int32"
            case .uint32, .fixed32: return "UInt32"
            case .bool: return "Bool"
            case .string: return "String"
            case .bytes: return "[UInt8]"
            case .group, .message, .enumeration: fatalError("not a scalar: \(type)")
            }
        case .enumeration(let info): return info.swiftName
        case .message(let info): return info.swiftName
        }
    }

    /// The proto3 default of a value (a message's default is an empty message).
    static func defaultValue(_ value: Value) -> String {
        switch value {
        case .scalar(let type):
            switch type {
            case .bool: return "false"
            case .string: return "\"\""
            case .bytes: return "[]"
            default: return "0"
            }
        case .enumeration(let info): return "." + info.defaultCase
        case .message(let info): return info.swiftName + "()"
        }
    }

    /// Numeric values whose Swift and C representations are the same bytes.
    static func isLayoutCompatibleScalar(_ value: Value) -> Bool {
        if case .scalar(let type) = value {
            return ![.bool, .string, .bytes].contains(type)
        }
        return false
    }

    // MARK: C → Swift

    /// Reads a non-message value from the C expression `c` (a struct member).
    static func readExpression(_ value: Value, from c: String) -> String {
        switch value {
        case .scalar(.bool): return "\(c) != 0"
        case .scalar(.string): return "ProtobufCRead.string(\(c))"
        case .scalar(.bytes): return "ProtobufCRead.bytes(\(c))"
        case .scalar: return c
        case .enumeration(let info): return "\(info.swiftName)(rawValue: Int32(truncatingIfNeeded: \(c).rawValue))"
        case .message(let info): return "\(c).map { \(info.swiftName)(cMessage: $0) }"
        }
    }

    // MARK: Swift → C

    /// Statements storing `swift` into the C lvalue `c`. With `skipDefault`, proto3
    /// defaults are left as `*__init()` set them (strings and bytes then need no arena space).
    static func writeStatements(_ value: Value, swift: String, into c: String, skipDefault: Bool) -> [String] {
        switch value {
        case .scalar(.bool):
            return ["\(c) = \(swift) ? 1 : 0"]
        case .scalar(.string):
            let store = "\(c) = arena.cString(\(swift))"
            return skipDefault ? ["if !\(swift).isEmpty { \(store) }"] : [store]
        case .scalar(.bytes):
            let store = "\(c) = arena.binaryData(\(swift))"
            return skipDefault ? ["if !\(swift).isEmpty { \(store) }"] : [store]
        case .scalar:
            return ["\(c) = \(swift)"]
        case .enumeration(let info):
            return ["\(c) = \(info.cTypeName)(rawValue: .init(truncatingIfNeeded: \(swift).rawValue))"]
        case .message:
            return ["\(c) = arena.message(\(swift))"]
        }
    }

    /// The arena helper that lays out a Swift array as a protobuf-c array.
    static func arrayExpression(_ value: Value, swift: String) -> String {
        switch value {
        case .scalar(.bool): return "arena.bools(\(swift))"
        case .scalar(.string): return "arena.cStrings(\(swift))"
        case .scalar(.bytes): return "arena.binaryDataArray(\(swift))"
        case .scalar: return "arena.numbers(\(swift))"
        case .enumeration(let info): return "arena.enums(\(swift), as: \(info.cTypeName).self)"
        case .message: return "arena.messages(\(swift))"
        }
    }
}
