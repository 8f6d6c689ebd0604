// The C identifiers protoc-c 1.4 generates, reproduced so the Swift side can
// name the structs, fields and functions of Sources/CProtos. These mirror
// protoc-c's own helpers (FullNameToC, FullNameToLower, FieldName); if they
// ever disagree with protoc-c the generated Swift fails to compile, loudly.

enum ProtobufCNaming {
    /// C and C++ keywords protoc-c escapes with a trailing underscore in field names.
    private static let cKeywords: Set<String> = [
        "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
        "class", "compl", "const", "const_cast", "continue", "default", "delete", "do", "double",
        "dynamic_cast", "else", "enum", "explicit", "extern", "false", "float", "for", "friend", "goto",
        "if", "inline", "int", "long", "mutable", "namespace", "new", "not", "not_eq", "operator", "or",
        "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "return", "short",
        "signed", "sizeof", "static", "static_cast", "struct", "switch", "template", "this", "throw",
        "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
        "volatile", "wchar_t", "while", "xor", "xor_eq",
    ]

    /// `oms.v1.Product` → `Oms__V1__Product` (struct and enum type names).
    static func typeName(fullName: String) -> String {
        pieces(fullName).map(toCamel).joined(separator: "__")
    }

    /// `oms.v1.UpsertProductRequest` → `oms__v1__upsert_product_request` (function/descriptor prefix).
    static func lowerName(fullName: String) -> String {
        pieces(fullName).map(camelToLower).joined(separator: "__")
    }

    /// Struct member for a field: the proto name lower-cased, C keywords get `_`.
    static func fieldName(_ protoName: String) -> String {
        let lowered = protoName.lowercased()
        return cKeywords.contains(lowered) ? lowered + "_" : lowered
    }

    /// Struct member holding which member of a oneof is set.
    static func oneofCaseMember(_ oneofName: String) -> String {
        camelToLower(oneofName) + "_case"
    }

    /// `oms/v1/catalog.proto` → `oms/v1/catalog.pb-c.h`
    static func headerPath(protoFile: String) -> String {
        (protoFile.hasSuffix(".proto") ? String(protoFile.dropLast(6)) : protoFile) + ".pb-c.h"
    }

    /// The `static inline` accessor CProtos.h defines for a message descriptor.
    static func descriptorAccessor(fullName: String) -> String {
        "oms_desc_" + lowerName(fullName: fullName)
    }

    /// A field name as a Swift member expression (`c.pointee.<name>`).
    static func swiftMember(_ cName: String) -> String {
        SwiftNaming.keywords.contains(cName) ? "`\(cName)`" : cName
    }

    private static func pieces(_ fullName: String) -> [Substring] {
        fullName.split(separator: ".", omittingEmptySubsequences: true)
    }

    private static func toCamel(_ piece: Substring) -> String {
        var result = ""
        var upperNext = true
        for character in piece {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func camelToLower(_ piece: some StringProtocol) -> String {
        var result = ""
        var previousWasUpper = true  // no leading underscore
        for character in piece {
            let isUpper = character.isASCII && character.isUppercase
            if isUpper {
                if !previousWasUpper { result.append("_") }
                result += character.lowercased()
            } else {
                result.append(character)
            }
            previousWasUpper = isUpper
        }
        return result
    }
}
