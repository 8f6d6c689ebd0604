/// What server reflection needs from a `FileDescriptorSet`: each file's
/// serialized `FileDescriptorProto`, its dependencies, and which file
/// declares each fully-qualified symbol (messages, enums, services, methods).
///
/// Reads just those fields with a minimal protobuf wire reader, so the RPC
/// layer needs no generated descriptor.proto types.
struct ReflectionIndex: Sendable {
    struct File: Sendable {
        var name: String
        var bytes: [UInt8]
        var dependencies: [String]
    }

    private(set) var files: [String: File] = [:]
    private(set) var symbols: [String: String] = [:]
    private(set) var services: [String] = []

    init(fileDescriptorSet: [UInt8]) {
        var reader = WireReader(fileDescriptorSet)
        while let field = reader.next() {
            if field.number == 1, case .bytes(let file) = field.value { add(file: file) }
        }
    }

    private mutating func add(file bytes: [UInt8]) {
        var name = ""
        var package = ""
        var dependencies: [String] = []
        var declarations: [(kind: Int, bytes: [UInt8])] = []
        var reader = WireReader(bytes)
        while let field = reader.next() {
            guard case .bytes(let value) = field.value else { continue }
            switch field.number {
            case 1: name = String(decoding: value, as: UTF8.self)
            case 2: package = String(decoding: value, as: UTF8.self)
            case 3: dependencies.append(String(decoding: value, as: UTF8.self))
            case 4, 5, 6: declarations.append((field.number, value))
            default: break
            }
        }
        files[name] = File(name: name, bytes: bytes, dependencies: dependencies)
        let scope = package.isEmpty ? "" : package + "."
        for declaration in declarations {
            switch declaration.kind {
            case 4: addMessage(declaration.bytes, scope: scope, file: name)
            case 5: addNamed(declaration.bytes, scope: scope, file: name)
            default: addService(declaration.bytes, scope: scope, file: name)
            }
        }
    }

    private mutating func addMessage(_ bytes: [UInt8], scope: String, file: String) {
        guard let fullName = addNamed(bytes, scope: scope, file: file) else { return }
        var reader = WireReader(bytes)
        while let field = reader.next() {
            guard case .bytes(let value) = field.value else { continue }
            if field.number == 3 { addMessage(value, scope: fullName + ".", file: file) }  // nested_type
            if field.number == 4 { addNamed(value, scope: fullName + ".", file: file) }  // enum_type
        }
    }

    private mutating func addService(_ bytes: [UInt8], scope: String, file: String) {
        guard let fullName = addNamed(bytes, scope: scope, file: file) else { return }
        services.append(fullName)
        var reader = WireReader(bytes)
        while let field = reader.next() {
            if field.number == 2, case .bytes(let method) = field.value {  // method
                addNamed(method, scope: fullName + ".", file: file)
            }
        }
    }

    /// Registers the declaration's `name` (field 1) under `scope`.
    @discardableResult
    private mutating func addNamed(_ bytes: [UInt8], scope: String, file: String) -> String? {
        var reader = WireReader(bytes)
        while let field = reader.next() {
            if field.number == 1, case .bytes(let value) = field.value {
                let fullName = scope + String(decoding: value, as: UTF8.self)
                symbols[fullName] = file
                return fullName
            }
        }
        return nil
    }

    /// `name` and every file it depends on, transitively (dependencies first).
    func fileWithDependencies(_ name: String) -> [File]? {
        guard files[name] != nil else { return nil }
        var ordered: [File] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard !seen.contains(name), let file = files[name] else { return }
            seen.insert(name)
            for dependency in file.dependencies { visit(dependency) }
            ordered.append(file)
        }
        visit(name)
        return ordered
    }

    func file(containingSymbol symbol: String) -> String? {
        symbols[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
    }
}

/// Iterates the top-level fields of a protobuf message; stops at malformed input.
struct WireReader {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> (number: Int, value: Value)? {
        guard offset < bytes.count, let key = varint() else { return nil }
        let number = Int(key >> 3)
        switch key & 7 {
        case 0:
            guard let value = varint() else { return nil }
            return (number, .varint(value))
        case 1:
            guard offset + 8 <= bytes.count else { return nil }
            offset += 8
            return (number, .fixed)
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return nil }
            let start = offset
            offset += Int(length)
            return (number, .bytes(Array(bytes[start..<offset])))
        case 5:
            guard offset + 4 <= bytes.count else { return nil }
            offset += 4
            return (number, .fixed)
        default:
            return nil
        }
    }

    private mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
