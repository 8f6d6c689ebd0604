import Storage

@testable import OMSCore

extension OMSStore {
    /// A store on RocksDB at `path`, as omsd opens it.
    convenience init(path: String, clock: any Clock = SystemClock()) throws {
        try self.init(engine: try Database(path: path, columnFamilies: OMSStore.columnFamilyNames), clock: clock)
    }

    /// The RocksDB database under the store, for tests that read or damage
    /// rows directly.
    var database: Database { engine as! Database }
}
