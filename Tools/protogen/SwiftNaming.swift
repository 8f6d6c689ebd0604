// Swift names for proto declarations, following swift-protobuf's conventions
// so the generated API reads like what Swift developers already know:
// package `oms.v1` + message `Product` → `Oms_V1_Product`, field `request_id`
// → `requestID`, enum value `PRODUCT_STATUS_ACTIVE` of `ProductStatus` → `.active`.

enum SwiftNaming {
    /// Words that stay all upper case inside a camel-cased name (`typeURL`, `requestID`).
    private static let abbreviations: Set<String> = ["url", "http", "https", "id"]

    static let keywords: Set<String> = [
        // declarations
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "protocol", "public",
        "static", "struct", "subscript", "typealias", "var",
        // statements
        "break", "case", "continue", "default", "defer", "do", "else", "fallthrough", "for",
        "guard", "if", "in", "repeat", "return", "switch", "where", "while",
        // expressions and types
        "as", "Any", "catch", "false", "is", "nil", "rethrows", "super", "self", "Self", "throw",
        "throws", "true", "try",
    ]

    private static let commonTypes: Set<String> = [
        "Bool", "Data", "Double", "Float", "Int", "Int32", "Int64", "String", "UInt", "UInt32", "UInt64",
    ]

    /// Property names that would shadow members every message has.
    private static let reservedPropertyNames: Set<String> = commonTypes.union([
        "debugDescription", "description", "dynamicType", "hashValue", "init", "self", "Type", "Protocol",
        "unknownFields", "serializedBytes", "serializedSize", "serialize", "isInitialized",
    ])

    /// Case names that would shadow members every enum has.
    private static let reservedEnumCases: Set<String> = [
        "allCases", "debugDescription", "description", "dynamicType", "hashValue", "init", "rawValue",
        "self", "protoName",
    ]

    /// Type names that would break type expressions or shadow the standard library.
    private static let reservedTypeNames: Set<String> = keywords.union(commonTypes).union([
        "Type", "Protocol", "Swift", "Equatable", "Hashable", "Sendable", "Method",
        "protoMessageName", "unknownFields", "debugDescription", "description", "dynamicType", "hashValue",
    ])

    /// `oms.v1` → `Oms_V1_`, `test.kitchen_sink` → `Test_KitchenSink_`; empty package → "".
    static func typePrefix(package: String) -> String {
        guard !package.isEmpty else { return "" }
        var prefix = ""
        var upperNext = true
        for character in package {
            if character == "_" {
                upperNext = true
            } else if character == "." {
                upperNext = true
                prefix.append("_")
            } else {
                if prefix.isEmpty && character.isNumber { prefix.append("_") }
                prefix.append(upperNext ? Character(character.uppercased()) : character)
                upperNext = false
            }
        }
        return prefix + "_"
    }

    /// Splits an identifier into lower-cased words at underscores, case changes and
    /// digit boundaries, then joins them camel-cased. A run of capitals followed by
    /// lower case stays one word (`HTTPRequest` → `httprequest`), as in swift-protobuf.
    static func camelCase(_ identifier: String, upperFirst: Bool) -> String {
        enum CharacterClass { case none, digit, lower, upper, underscore }
        var result = ""
        var word = ""
        var previous = CharacterClass.none

        func flushWord() {
            guard !word.isEmpty else { return }
            if result.isEmpty && !upperFirst {
                result += word
            } else if abbreviations.contains(word) {
                result += word.uppercased()
            } else {
                result += word.prefix(1).uppercased() + word.dropFirst()
            }
            word = ""
        }

        for character in identifier {
            let current: CharacterClass
            if character == "_" {
                current = .underscore
                flushWord()
                if previous == .underscore { result += "_" }
            } else if character.isNumber {
                current = .digit
                if previous != .digit { flushWord() }
                if result.isEmpty && word.isEmpty { result += "_" }
                word.append(character)
            } else if character.isUppercase {
                current = .upper
                if previous != .upper { flushWord() }
                word += character.lowercased()
            } else {
                current = .lower
                if previous != .lower && previous != .upper { flushWord() }
                word.append(character)
            }
            previous = current
        }
        flushWord()
        if previous == .underscore { result += "_" }
        return result
    }

    /// A stored-property name for a field or oneof: `unit_price` → `unitPrice`,
    /// keywords in backticks, names that clash with message members get `_p`.
    static func propertyName(_ protoName: String) -> String {
        let name = camelCase(protoName, upperFirst: false)
        if reservedPropertyNames.contains(name) { return name + "_p" }
        if keywords.contains(name) { return "`\(name)`" }
        return name
    }

    /// A nested or top-level type name that cannot clash with Swift or our own members.
    static func typeName(_ protoName: String, disambiguator: String) -> String {
        if reservedTypeNames.contains(protoName) || protoName.allSatisfy({ $0 == "_" }) {
            return protoName + disambiguator
        }
        if protoName.hasSuffix(disambiguator) && protoName != disambiguator {
            let root = String(protoName.dropLast(disambiguator.count))
            return typeName(root, disambiguator: disambiguator) + disambiguator
        }
        return protoName
    }

    /// Enum case name: the enum's UPPER_SNAKE name is stripped as a prefix when
    /// the rest still starts with a letter, then lowerCamelCased.
    static func enumCaseName(_ valueName: String, enumName: String) -> String {
        let stripped = stripEnumPrefix(valueName, enumName: enumName) ?? valueName
        let name = camelCase(stripped, upperFirst: false)
        if reservedEnumCases.contains(name) { return name + "_" }
        if keywords.contains(name) { return "`\(name)`" }
        return name
    }

    /// Compares case- and underscore-insensitively, as protoc users write
    /// `ProductStatus` / `PRODUCT_STATUS_ACTIVE`.
    private static func stripEnumPrefix(_ valueName: String, enumName: String) -> String? {
        let prefix = Array(enumName.lowercased().filter { $0 != "_" })
        let value = Array(valueName)
        var index = 0
        for expected in prefix {
            while index < value.count && value[index] == "_" { index += 1 }
            guard index < value.count, Character(value[index].lowercased()) == expected else { return nil }
            index += 1
        }
        while index < value.count && value[index] == "_" { index += 1 }
        guard index < value.count, value[index].isLetter else { return nil }
        return String(value[index...])
    }

    /// Removes backticks for use inside string literals and derived names.
    static func unquoted(_ name: String) -> String {
        name.hasPrefix("`") ? String(name.dropFirst().dropLast()) : name
    }
}
