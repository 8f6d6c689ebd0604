// The subset of google/protobuf/descriptor.proto the generator needs, decoded
// from a FileDescriptorSet with WireReader. Field numbers are the ones in
// descriptor.proto; unknown fields are skipped, so newer protoc output works.

/// FieldDescriptorProto.Type
enum FieldType: Int {
    case double = 1
    case float = 2
    case int64 = 3
    case uint64 = 4
    case int32 = 5
    case fixed64 = 6
    case fixed32 = 7
    case bool = 8
    case string = 9
    case group = 10
    case message = 11
    case bytes = 12
    case uint32 = 13
    case enumeration = 14
    case sfixed32 = 15
    case sfixed64 = 16
    case sint32 = 17
    case sint64 = 18
}

/// FieldDescriptorProto.Label
enum FieldLabel: Int {
    case optional = 1
    case required = 2
    case repeated = 3
}

struct FieldDescriptor {
    var name = ""
    var number: Int32 = 0
    var label = FieldLabel.optional
    var type = FieldType.int32
    /// Fully qualified with a leading dot (".oms.v1.Money") for messages and enums.
    var typeName = ""
    var oneofIndex: Int?
    var jsonName = ""
    var proto3Optional = false

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            switch number {
            case 1: name = try value.string(in: reader.bytes)
            case 3: self.number = Int32(truncatingIfNeeded: try value.integer())
            case 4:
                let raw = Int(try value.integer())
                guard let label = FieldLabel(rawValue: raw) else {
                    throw WireFormatError(description: "unknown field label \(raw)")
                }
                self.label = label
            case 5:
                let raw = Int(try value.integer())
                guard let type = FieldType(rawValue: raw) else {
                    throw WireFormatError(description: "unknown field type \(raw)")
                }
                self.type = type
            case 6: typeName = try value.string(in: reader.bytes)
            case 9: oneofIndex = Int(try value.integer())
            case 10: jsonName = try value.string(in: reader.bytes)
            case 17: proto3Optional = try value.integer() != 0
            default: break
            }
        }
    }
}

struct EnumValueDescriptor {
    var name = ""
    var number: Int32 = 0

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            switch number {
            case 1: name = try value.string(in: reader.bytes)
            case 2: self.number = Int32(truncatingIfNeeded: try value.integer())
            default: break
            }
        }
    }
}

struct EnumDescriptor {
    var name = ""
    var values: [EnumValueDescriptor] = []

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            switch number {
            case 1: name = try value.string(in: reader.bytes)
            case 2: values.append(try EnumValueDescriptor(WireReader(reader.bytes, range: try value.range())))
            default: break
            }
        }
    }
}

struct MessageDescriptor {
    var name = ""
    var fields: [FieldDescriptor] = []
    var nestedMessages: [MessageDescriptor] = []
    var enums: [EnumDescriptor] = []
    var oneofNames: [String] = []
    /// MessageOptions.map_entry: the synthetic entry type of a `map<K, V>` field.
    var isMapEntry = false

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            let bytes = reader.bytes
            switch number {
            case 1: name = try value.string(in: bytes)
            case 2: fields.append(try FieldDescriptor(WireReader(bytes, range: try value.range())))
            case 3: nestedMessages.append(try MessageDescriptor(WireReader(bytes, range: try value.range())))
            case 4: enums.append(try EnumDescriptor(WireReader(bytes, range: try value.range())))
            case 7: isMapEntry = try Self.readMapEntryOption(WireReader(bytes, range: try value.range()))
            case 8: oneofNames.append(try Self.readOneofName(WireReader(bytes, range: try value.range())))
            default: break
            }
        }
    }

    private static func readMapEntryOption(_ reader: WireReader) throws(WireFormatError) -> Bool {
        var reader = reader
        var mapEntry = false
        while let (number, value, _) = try reader.next() {
            if number == 7 { mapEntry = try value.integer() != 0 }
        }
        return mapEntry
    }

    private static func readOneofName(_ reader: WireReader) throws(WireFormatError) -> String {
        var reader = reader
        var name = ""
        while let (number, value, _) = try reader.next() {
            if number == 1 { name = try value.string(in: reader.bytes) }
        }
        return name
    }
}

struct MethodDescriptor {
    var name = ""
    var inputType = ""
    var outputType = ""
    var clientStreaming = false
    var serverStreaming = false

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            switch number {
            case 1: name = try value.string(in: reader.bytes)
            case 2: inputType = try value.string(in: reader.bytes)
            case 3: outputType = try value.string(in: reader.bytes)
            case 5: clientStreaming = try value.integer() != 0
            case 6: serverStreaming = try value.integer() != 0
            default: break
            }
        }
    }
}

struct ServiceDescriptor {
    var name = ""
    var methods: [MethodDescriptor] = []

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        while let (number, value, _) = try reader.next() {
            switch number {
            case 1: name = try value.string(in: reader.bytes)
            case 2: methods.append(try MethodDescriptor(WireReader(reader.bytes, range: try value.range())))
            default: break
            }
        }
    }
}

struct FileDescriptor {
    var name = ""
    var package = ""
    var dependencies: [String] = []
    var messages: [MessageDescriptor] = []
    var enums: [EnumDescriptor] = []
    var services: [ServiceDescriptor] = []
    var syntax = ""
    /// Leading (or else trailing) comments keyed by SourceCodeInfo path, e.g. "4.0.2.1".
    var comments: [String: String] = [:]
    /// The serialized FileDescriptorProto without source_code_info, as embedded for reflection.
    var serializedWithoutSourceInfo: [UInt8] = []

    init(_ reader: WireReader) throws(WireFormatError) {
        var reader = reader
        var stripped = WireWriter()
        while let (number, value, record) = try reader.next() {
            let bytes = reader.bytes
            if number != 9 { stripped.appendRaw(bytes[record]) }
            switch number {
            case 1: name = try value.string(in: bytes)
            case 2: package = try value.string(in: bytes)
            case 3: dependencies.append(try value.string(in: bytes))
            case 4: messages.append(try MessageDescriptor(WireReader(bytes, range: try value.range())))
            case 5: enums.append(try EnumDescriptor(WireReader(bytes, range: try value.range())))
            case 6: services.append(try ServiceDescriptor(WireReader(bytes, range: try value.range())))
            case 9: comments = try Self.readComments(WireReader(bytes, range: try value.range()))
            case 12: syntax = try value.string(in: bytes)
            default: break
            }
        }
        serializedWithoutSourceInfo = stripped.bytes
    }

    /// SourceCodeInfo.location: path (1, packed int32), leading (3) and trailing (4) comments.
    private static func readComments(_ reader: WireReader) throws(WireFormatError) -> [String: String] {
        var reader = reader
        var comments: [String: String] = [:]
        while let (number, value, _) = try reader.next() {
            guard number == 1 else { continue }
            var location = WireReader(reader.bytes, range: try value.range())
            var path: [UInt64] = []
            var leading = ""
            var trailing = ""
            while let (field, fieldValue, _) = try location.next() {
                switch field {
                case 1: path += try fieldValue.packedVarints(in: reader.bytes)
                case 3: leading = try fieldValue.string(in: reader.bytes)
                case 4: trailing = try fieldValue.string(in: reader.bytes)
                default: break
                }
            }
            let text = leading.isEmpty ? trailing : leading
            if !text.isEmpty {
                comments[path.map { String($0) }.joined(separator: ".")] = text
            }
        }
        return comments
    }
}

/// google.protobuf.FileDescriptorSet: files in dependency order (protoc --include_imports).
struct FileDescriptorSet {
    var files: [FileDescriptor] = []

    init(bytes: [UInt8]) throws(WireFormatError) {
        var reader = WireReader(bytes)
        while let (number, value, _) = try reader.next() {
            if number == 1 {
                files.append(try FileDescriptor(WireReader(bytes, range: try value.range())))
            }
        }
    }
}
