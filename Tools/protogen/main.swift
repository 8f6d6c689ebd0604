// oms-protogen: FileDescriptorSet → Swift message types over protobuf-c.
//
//   oms-protogen <descriptor-set> <swift-output-dir> [--c-umbrella-header <path>]
//
// Reads the set written by `protoc --include_imports --include_source_info
// --descriptor_set_out=…` and writes one `<path_of_file>.pb.swift` per .proto
// file, ProtoDescriptors.swift (the set itself, for server reflection) and,
// when asked, the CProtos umbrella header with descriptor accessors.
// Proto/generate.sh is the only intended caller. Output is a pure function
// of the input bytes, so regenerating is byte-for-byte reproducible.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

func fail(_ message: String) -> Never {
    var line = "oms-protogen: \(message)\n"
    _ = line.withUTF8 { write(2, $0.baseAddress, $0.count) }  // stderr; the global is not concurrency-safe
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var umbrellaHeaderPath: String?
if let flag = arguments.firstIndex(of: "--c-umbrella-header") {
    guard flag + 1 < arguments.count else { fail("--c-umbrella-header needs a path") }
    umbrellaHeaderPath = arguments[flag + 1]
    arguments.removeSubrange(flag...flag + 1)
}
guard arguments.count == 2 else {
    fail("usage: oms-protogen <descriptor-set> <swift-output-dir> [--c-umbrella-header <path>]")
}
let (descriptorSetPath, outputDirectory) = (arguments[0], arguments[1])

do {
    let set = try FileDescriptorSet(bytes: try FileSystem.read(descriptorSetPath))
    let registry = try TypeRegistry(set)
    var outputNames: [String: String] = [DescriptorSetGenerator.outputName: "the descriptor set"]
    for file in set.files {
        let outputName = SwiftFileGenerator.outputName(for: file.name)
        if let other = outputNames.updateValue(file.name, forKey: outputName) {
            fail("\(file.name) and \(other) would both generate \(outputName)")
        }
        let source = try SwiftFileGenerator(file: file, registry: registry).generate()
        try FileSystem.write(source, to: outputDirectory + "/" + outputName)
    }
    try FileSystem.write(
        DescriptorSetGenerator(set: set).generate(),
        to: outputDirectory + "/" + DescriptorSetGenerator.outputName)
    if let umbrellaHeaderPath {
        try FileSystem.write(UmbrellaHeaderGenerator(set: set).generate(), to: umbrellaHeaderPath)
    }
} catch {
    fail("\(error)")
}
