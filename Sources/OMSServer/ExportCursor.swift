import OMSCore
import OMSProto

/// A report export carried between the read pool's threads: the streaming
/// handler runs one `next()` at a time on the pool and awaits it before the
/// next, so the export is never used by two threads at once (which is what
/// makes `@unchecked Sendable` sound; the export holds a read view and its
/// encoder's state, neither of which is `Sendable`).
final class ExportCursor: @unchecked Sendable {
    private(set) var export: ReportExport

    init(_ export: ReportExport) {
        self.export = export
    }

    /// The next chunk, or nil after the last.
    func next() throws -> Oms_V1_ExportReportChunk? {
        try export.next()
    }
}
