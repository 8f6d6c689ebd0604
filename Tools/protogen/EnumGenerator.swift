// Emits one proto enum as a Swift enum with a case per value plus
// `UNRECOGNIZED(Int32)`, so values added by newer peers survive a round trip.

struct EnumGenerator {
    let info: EnumInfo
    let comments: [String: String]

    init(_ info: EnumInfo, comments: [String: String]) {
        self.info = info
        self.comments = comments
    }

    func write(_ out: CodeWriter) {
        let localName = String(info.swiftName.split(separator: ".").last!)
        out.docComment(comments[info.path])
        out.block("public enum \(localName): ProtoEnum {") {
            for (index, (name, value)) in info.cases.enumerated() {
                let valueIndex = info.descriptor.values.firstIndex { $0.name == value.name } ?? index
                out.docComment(comments[info.path + ".2.\(valueIndex)"])
                out.line("case \(name)  // \(value.number)")
            }
            out.line("case UNRECOGNIZED(Int32)")
            for alias in info.aliases {
                out.line()
                out.line("/// Alias of `.\(SwiftNaming.unquoted(alias.target))` (\(alias.value.name)).")
                out.line("public static let \(alias.name) = \(localName).\(alias.target)")
            }
            out.line()
            out.line("public static let allCases: [\(localName)] = [")
            for (name, _) in info.cases {
                out.line("    .\(name),")
            }
            out.line("]")
            out.line()
            out.block("public init() {") {
                out.line("self = .\(info.defaultCase)")
            }
            out.line()
            out.block("public init(rawValue: Int32) {") {
                out.switchBlock("switch rawValue {") {
                    for (name, value) in info.cases {
                        out.line("case \(value.number): self = .\(name)")
                    }
                    out.line("default: self = .UNRECOGNIZED(rawValue)")
                }
            }
            out.line()
            out.block("public init?(protoName: String) {") {
                out.switchBlock("switch protoName {") {
                    for (name, value) in info.cases {
                        out.line("case \(value.name.swiftLiteral): self = .\(name)")
                    }
                    for alias in info.aliases {
                        out.line("case \(alias.value.name.swiftLiteral): self = .\(alias.target)")
                    }
                    out.line("default: return nil")
                }
            }
            out.line()
            out.block("public var rawValue: Int32 {") {
                out.switchBlock("switch self {") {
                    for (name, value) in info.cases {
                        out.line("case .\(name): \(value.number)")
                    }
                    out.line("case .UNRECOGNIZED(let value): value")
                }
            }
            out.line()
            out.line("/// The name in the .proto file; an unrecognized value is its number, as in proto3 JSON.")
            out.block("public var protoName: String {") {
                out.switchBlock("switch self {") {
                    for (name, value) in info.cases {
                        out.line("case .\(name): \(value.name.swiftLiteral)")
                    }
                    out.line("case .UNRECOGNIZED(let value): String(value)")
                }
            }
        }
    }
}
