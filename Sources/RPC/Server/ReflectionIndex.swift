import OMSProto

/// What server reflection needs from the generated descriptors: each file's
/// serialized `FileDescriptorProto`, its imports, and which file declares each
/// fully-qualified symbol (messages, enums, services, methods).
struct ReflectionIndex: Sendable {
    private(set) var files: [String: ProtoFileDescriptor] = [:]
    private(set) var symbols: [String: String] = [:]

    init(files: [ProtoFileDescriptor]) {
        for file in files {
            self.files[file.name] = file
            for symbol in file.symbols { symbols[symbol] = file.name }
        }
    }

    /// `name` and every file it imports, transitively (dependencies first).
    func fileWithDependencies(_ name: String) -> [ProtoFileDescriptor]? {
        guard files[name] != nil else { return nil }
        var ordered: [ProtoFileDescriptor] = []
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
