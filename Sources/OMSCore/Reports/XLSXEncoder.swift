/// An Office Open XML workbook (one worksheet) written as a stream: the
/// fixed parts first, then the sheet's rows as they come (inline strings and
/// numbers), then the ZIP directory. Memory does not grow with the rows.
struct XLSXEncoder {
    static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let maxRows = 1_048_576
    private var zip = ZipStreamWriter()
    private var rowNumber = 0

    enum Failure: Error { case tooManyRows }

    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships"
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// The package parts before the sheet data, and the sheet's opening.
    mutating func start(sheetName: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes += try zip.entry(
            "[Content_Types].xml",
            Array(
                (Self.declaration
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                    + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                    + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
                    + "</Types>").utf8))
        bytes += try zip.entry(
            "_rels/.rels",
            Array(
                (Self.declaration + "<Relationships xmlns=\"\(Self.packageRelationships)\">"
                    + "<Relationship Id=\"rId1\" Type=\"\(Self.relationships)/officeDocument\" Target=\"xl/workbook.xml\"/>"
                    + "</Relationships>").utf8))
        bytes += try zip.entry(
            "xl/workbook.xml",
            Array(
                (Self.declaration + "<workbook xmlns=\"\(Self.main)\" xmlns:r=\"\(Self.relationships)\">"
                    + "<sheets><sheet name=\"\(Self.escape(String(sheetName.prefix(31))))\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                    + "</workbook>").utf8))
        bytes += try zip.entry(
            "xl/_rels/workbook.xml.rels",
            Array(
                (Self.declaration + "<Relationships xmlns=\"\(Self.packageRelationships)\">"
                    + "<Relationship Id=\"rId1\" Type=\"\(Self.relationships)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                    + "<Relationship Id=\"rId2\" Type=\"\(Self.relationships)/styles\" Target=\"styles.xml\"/>"
                    + "</Relationships>").utf8))
        bytes += try zip.entry(
            "xl/styles.xml",
            Array(
                (Self.declaration + "<styleSheet xmlns=\"\(Self.main)\">"
                    + "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
                    + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
                    + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
                    + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
                    + "<cellXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>"
                    + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
                    + "</styleSheet>").utf8))
        bytes += try zip.begin("xl/worksheets/sheet1.xml")
        bytes += try sheetData(Array((Self.declaration + "<worksheet xmlns=\"\(Self.main)\"><sheetData>").utf8))
        return bytes
    }

    private mutating func sheetData(_ bytes: [UInt8]) throws -> [UInt8] {
        try zip.data(bytes)
        return bytes
    }

    mutating func row(_ cells: [ReportCell]) throws -> [UInt8] {
        guard rowNumber < Self.maxRows else { throw Failure.tooManyRows }
        rowNumber += 1
        var xml = "<row r=\"\(rowNumber)\">"
        for (index, cell) in cells.enumerated() {
            let reference = Self.column(index) + String(rowNumber)
            switch cell {
            case .integer(let value): xml += "<c r=\"\(reference)\"><v>\(value)</v></c>"
            case .text(let text):
                xml +=
                    "<c r=\"\(reference)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
            }
        }
        xml += "</row>"
        return try sheetData(Array(xml.utf8))
    }

    /// The sheet's end and the ZIP directory.
    mutating func finish() throws -> [UInt8] {
        var bytes = try sheetData(Array("</sheetData></worksheet>".utf8))
        bytes += try zip.end()
        bytes += try zip.finish()
        return bytes
    }

    /// A, B, ..., Z, AA, AB, ...
    static func column(_ index: Int) -> String {
        var index = index + 1
        var letters: [Character] = []
        while index > 0 {
            let remainder = (index - 1) % 26
            letters.insert(Character(UnicodeScalar(UInt8(65 + remainder))), at: 0)
            index = (index - 1) / 26
        }
        return String(letters)
    }

    /// XML text: the five special characters escaped; characters XML 1.0
    /// cannot carry (C0 controls but tab, LF, CR) dropped.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
