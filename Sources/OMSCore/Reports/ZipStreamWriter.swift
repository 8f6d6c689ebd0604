/// A ZIP archive written front to back with stored (uncompressed) entries:
/// small entries with their sizes in the local header, a streamed entry with
/// a data descriptor after its data (general purpose bit 3), and the central
/// directory at the end. No ZIP64: an archive stays below 4 GiB.
struct ZipStreamWriter {
    struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt32
        var offset: UInt32
        var streamed: Bool
    }

    enum Failure: Error { case tooLarge }

    private var entries: [Entry] = []
    private var offset: UInt64 = 0
    private var open: (entry: Entry, crc: CRC32, size: UInt64)?
    /// 1980-01-01 00:00 in MS-DOS format: the archive is reproducible.
    static let dosTime: UInt16 = 0
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    private func localHeader(_ entry: Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        Self.append(UInt32(0x0403_4B50), to: &bytes)
        Self.append(UInt16(20), to: &bytes)  // version needed: 2.0
        Self.append(UInt16(entry.streamed ? 0x0008 : 0), to: &bytes)
        Self.append(UInt16(0), to: &bytes)  // stored
        Self.append(Self.dosTime, to: &bytes)
        Self.append(Self.dosDate, to: &bytes)
        Self.append(entry.crc, to: &bytes)
        Self.append(entry.size, to: &bytes)
        Self.append(entry.size, to: &bytes)
        Self.append(UInt16(entry.name.count), to: &bytes)
        Self.append(UInt16(0), to: &bytes)
        bytes += entry.name
        return bytes
    }

    private mutating func advance(_ count: Int) throws {
        offset += UInt64(count)
        guard offset < UInt64(UInt32.max) else { throw Failure.tooLarge }
    }

    /// A whole entry whose content is known.
    mutating func entry(_ name: String, _ content: [UInt8]) throws -> [UInt8] {
        let entry = Entry(
            name: Array(name.utf8), crc: CRC32.checksum(content), size: UInt32(content.count), offset: UInt32(offset),
            streamed: false)
        let bytes = localHeader(entry) + content
        try advance(bytes.count)
        entries.append(entry)
        return bytes
    }

    /// Starts an entry whose content follows in `data` calls.
    mutating func begin(_ name: String) throws -> [UInt8] {
        let entry = Entry(name: Array(name.utf8), crc: 0, size: 0, offset: UInt32(offset), streamed: true)
        let bytes = localHeader(entry)
        try advance(bytes.count)
        open = (entry, CRC32(), 0)
        return bytes
    }

    mutating func data(_ bytes: [UInt8]) throws {
        open!.crc.update(bytes)
        open!.size += UInt64(bytes.count)
        try advance(bytes.count)
    }

    /// Ends the streamed entry: its data descriptor.
    mutating func end() throws -> [UInt8] {
        var (entry, crc, size) = open!
        open = nil
        entry.crc = crc.value
        entry.size = UInt32(size)
        entries.append(entry)
        var bytes: [UInt8] = []
        Self.append(UInt32(0x0807_4B50), to: &bytes)
        Self.append(entry.crc, to: &bytes)
        Self.append(entry.size, to: &bytes)
        Self.append(entry.size, to: &bytes)
        try advance(bytes.count)
        return bytes
    }

    /// The central directory and its end record.
    mutating func finish() throws -> [UInt8] {
        var bytes: [UInt8] = []
        let start = UInt32(offset)
        for entry in entries {
            Self.append(UInt32(0x0201_4B50), to: &bytes)
            Self.append(UInt16(20), to: &bytes)  // made by: MS-DOS, 2.0
            Self.append(UInt16(20), to: &bytes)
            Self.append(UInt16(entry.streamed ? 0x0008 : 0), to: &bytes)
            Self.append(UInt16(0), to: &bytes)
            Self.append(Self.dosTime, to: &bytes)
            Self.append(Self.dosDate, to: &bytes)
            Self.append(entry.crc, to: &bytes)
            Self.append(entry.size, to: &bytes)
            Self.append(entry.size, to: &bytes)
            Self.append(UInt16(entry.name.count), to: &bytes)
            Self.append(UInt16(0), to: &bytes)  // extra
            Self.append(UInt16(0), to: &bytes)  // comment
            Self.append(UInt16(0), to: &bytes)  // disk
            Self.append(UInt16(0), to: &bytes)  // internal attributes
            Self.append(UInt32(0), to: &bytes)  // external attributes
            Self.append(entry.offset, to: &bytes)
            bytes += entry.name
        }
        let size = UInt32(bytes.count)
        Self.append(UInt32(0x0605_4B50), to: &bytes)
        Self.append(UInt16(0), to: &bytes)
        Self.append(UInt16(0), to: &bytes)
        Self.append(UInt16(entries.count), to: &bytes)
        Self.append(UInt16(entries.count), to: &bytes)
        Self.append(size, to: &bytes)
        Self.append(start, to: &bytes)
        Self.append(UInt16(0), to: &bytes)
        try advance(bytes.count)
        return bytes
    }
}
