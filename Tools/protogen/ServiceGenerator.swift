// Emits a namespace per service with one typed `ProtoMethod` per RPC, so the
// server router and the client SDK share the exact paths and message types.

struct ServiceGenerator {
    let service: ServiceDescriptor
    let fullName: String
    let swiftName: String
    let path: String
    let registry: TypeRegistry
    let comments: [String: String]

    func write(_ out: CodeWriter) throws(GeneratorError) {
        out.docComment(comments[path])
        try out.block("public enum \(swiftName) {") { () throws(GeneratorError) in
            out.line("public static let serviceName = \(fullName.swiftLiteral)")
            out.line()
            out.line("/// Every method name of the service, in .proto order.")
            out.line("public static let methodNames: [String] = [")
            for method in service.methods {
                out.line("    \(method.name.swiftLiteral),")
            }
            out.line("]")
            out.line()
            try out.block("public enum Method {") { () throws(GeneratorError) in
                for (index, method) in service.methods.enumerated() {
                    if index > 0 { out.line() }
                    let input = try registry.message(method.inputType).swiftName
                    let output = try registry.message(method.outputType).swiftName
                    out.docComment(comments[path + ".2.\(index)"])
                    out.line(
                        "public static let \(SwiftNaming.propertyName(method.name)) = ProtoMethod<\(input), \(output)>("
                    )
                    out.line("    service: \(fullName.swiftLiteral),")
                    out.line("    name: \(method.name.swiftLiteral),")
                    out.line("    clientStreaming: \(method.clientStreaming),")
                    out.line("    serverStreaming: \(method.serverStreaming)")
                    out.line(")")
                }
            }
        }
    }
}
