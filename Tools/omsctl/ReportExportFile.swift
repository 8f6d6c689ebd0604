import ArgumentParser
import Foundation
import OMSClient

/// `--export FILE`: streams `ExportReport` into FILE (CSV or XLSX by its
/// extension), chunk by chunk, through a temporary file renamed at the end
/// so a failed export leaves no partial file behind.
enum ReportExportFile {
    static func format(of path: String) throws -> Oms_V1_ExportFormat {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": return .csv
        case "xlsx": return .xlsx
        default: throw ValidationError("--export: the file must end in .csv or .xlsx, got '\(path)'")
        }
    }

    /// Returns the bytes written.
    static func write(client: OMSClient, request: Oms_V1_ExportReportRequest, to path: String) async throws -> Int {
        var request = request
        request.format = try format(of: path)
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CLIError("cannot create \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        var written = 0
        var complete = false
        do {
            for try await chunk in client.reports.export(request) {
                try handle.write(contentsOf: chunk.data)
                written += chunk.data.count
                if chunk.last { complete = true }
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard complete else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CLIError("the export ended early; \(path) not written")
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        return written
    }
}
