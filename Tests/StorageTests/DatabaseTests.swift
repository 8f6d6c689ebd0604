import Foundation
import Storage
import Testing

@Suite struct DatabaseTests {
    @Test func createsColumnFamiliesAndReopensWithData() async throws {
        try await withTemporaryDirectory { path in
            do {
                let db = try Database(path: path, columnFamilies: testFamilies)
                #expect(Set(db.columnFamilyNames) == Set(["default"] + testFamilies))
                try db.put(db.columnFamily("orders"), bytes("o1"), bytes("order one"))
                try db.put(db.columnFamily("events"), KeyCodec.encode(1), bytes("created o1"))
                db.close()
            }
            do {
                // A new family is added; the existing ones and their data are there.
                let db = try Database(path: path, columnFamilies: testFamilies + ["customers"])
                #expect(Set(db.columnFamilyNames) == Set(["default", "customers"] + testFamilies))
                #expect(string(try db.get(db.columnFamily("orders"), bytes("o1"))) == "order one")
                #expect(string(try db.get(db.columnFamily("events"), KeyCodec.encode(1))) == "created o1")
                db.close()
            }
            do {
                // Families on disk are opened even when not asked for.
                let db = try Database(path: path, columnFamilies: [])
                #expect(Set(db.columnFamilyNames) == Set(["default", "customers"] + testFamilies))
                #expect(try db.get(db.columnFamily("customers"), bytes("nobody")) == nil)
                #expect(db.compression == .lz4)
            }
        }
    }

    @Test("memoryUsage: memtables grow with writes, the block cache fills on reads and stays within its capacity")
    func memoryUsage() async throws {
        try await withTemporaryDirectory { path in
            var config = Database.Config.defaults
            config.blockCacheBytes = 4 << 20
            let db = try Database(path: path, columnFamilies: testFamilies, config: config)
            let orders = db.columnFamily("orders")
            let empty = try db.memoryUsage()
            #expect(empty.blockCacheCapacity == 4 << 20)
            let value = [UInt8](repeating: 7, count: 1000)
            for index in 0..<2000 { try db.put(orders, KeyCodec.encode(UInt64(index)), value) }
            let written = try db.memoryUsage()
            #expect(written.memtables >= empty.memtables + 2000 * 1000)
            try db.flush()
            for index in 0..<2000 { _ = try db.get(orders, KeyCodec.encode(UInt64(index))) }
            let read = try db.memoryUsage()
            #expect(read.blockCache > 0)
            #expect(read.blockCache <= read.blockCacheCapacity)
            #expect(read.blockCachePinned <= read.blockCache)
            #expect(read.total == read.blockCache + read.memtables + read.tableReaders)
            db.close()
            #expect(throws: StorageError.self) { try db.memoryUsage() }
        }
    }

    @Test func missingDatabaseWithoutCreateIfMissingFails() async {
        await withTemporaryDirectory { path in
            var config = Database.Config()
            config.createIfMissing = false
            let error = storageError { try Database(path: path + "/absent", columnFamilies: [], config: config) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("absent") == true)
        }
    }

    @Test func columnFamiliesAreIsolated() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            let events = db.columnFamily("events")
            try db.put(orders, bytes("k"), bytes("in orders"))
            try db.put(events, bytes("k"), bytes("in events"), sync: false)
            #expect(string(try db.get(orders, bytes("k"))) == "in orders")
            #expect(string(try db.get(events, bytes("k"))) == "in events")
            #expect(try db.get(db.columnFamily("default"), bytes("k")) == nil)

            try db.delete(orders, bytes("k"))
            #expect(try db.get(orders, bytes("k")) == nil)
            #expect(string(try db.get(events, bytes("k"))) == "in events")
            #expect(try db.contains(events, bytes("k")))
            #expect(!(try db.contains(orders, bytes("k"))))
        }
    }

    @Test func emptyKeysAndValuesRoundTrip() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            try db.put(orders, bytes("empty"), [UInt8]())
            try db.put(orders, [UInt8](), bytes("empty key"))
            #expect(try db.get(orders, bytes("empty")) == [])
            #expect(string(try db.get(orders, [UInt8]())) == "empty key")
        }
    }

    @Test func zeroCopyReadsAndMultiGet() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            for i in 0..<5 {
                try db.put(orders, bytes("k\(i)"), bytes("value \(i)"), sync: false)
            }
            let length = try db.withValue(orders, bytes("k3")) { $0?.count }
            #expect(length == 7)
            let missing = try db.withValue(orders, bytes("nope")) { $0 == nil }
            #expect(missing)
            // Keys given as a raw buffer are read in place too.
            let key = bytes("k4")
            let value = try key.withUnsafeBytes { raw in try db.get(orders, raw) }
            #expect(string(value) == "value 4")

            let values = try db.multiGet(orders, [bytes("k1"), bytes("absent"), bytes("k0"), []])
            #expect(values.map(string) == ["value 1", nil, "value 0", nil])
            #expect(try db.multiGet(orders, []).isEmpty)

            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try db.withValue(orders, bytes("k1")) { _ in throw Boom() }
            }
        }
    }

    @Test func writeBatchIsAtomicAcrossColumnFamilies() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            let events = db.columnFamily("events")
            let index = db.columnFamily("order_index")
            try db.put(index, bytes("stale"), bytes("x"))

            let batch = WriteBatch(database: db)
            batch.put(orders, bytes("o1"), bytes("order"))
            batch.put(events, KeyCodec.encode(7), bytes("event"))
            batch.delete(index, bytes("stale"))
            #expect(batch.count == 3)
            #expect(batch.byteSize > 0)

            // Nothing is visible before the batch is written...
            #expect(try db.get(orders, bytes("o1")) == nil)
            #expect(try db.get(index, bytes("stale")) != nil)
            let before = try db.latestSequenceNumber
            try db.write(batch)
            // ...and all of it after.
            #expect(string(try db.get(orders, bytes("o1"))) == "order")
            #expect(string(try db.get(events, KeyCodec.encode(7))) == "event")
            #expect(try db.get(index, bytes("stale")) == nil)
            #expect(try db.latestSequenceNumber == before + 3)

            batch.clear()
            #expect(batch.count == 0)
            for i in 0..<10 {
                batch.put(orders, bytes("r\(i)"), bytes("\(i)"))
            }
            batch.deleteRange(orders, from: bytes("r2"), to: bytes("r8"))
            try db.write(batch, sync: false)
            let remaining = try db.scan(orders, prefix: bytes("r"), limit: 100).map { string($0.key)! }
            #expect(remaining == ["r0", "r1", "r8", "r9"])
        }
    }

    @Test func snapshotDoesNotSeeLaterWrites() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            try db.put(orders, bytes("a/1"), bytes("v1"))
            try db.put(orders, bytes("a/2"), bytes("v1"))

            let snapshot = try db.snapshot()
            try db.put(orders, bytes("a/1"), bytes("v2"))
            try db.delete(orders, bytes("a/2"))
            try db.put(orders, bytes("a/3"), bytes("new"))

            #expect(string(try db.get(orders, bytes("a/1"), snapshot: snapshot)) == "v1")
            #expect(string(try db.get(orders, bytes("a/2"), snapshot: snapshot)) == "v1")
            #expect(try db.get(orders, bytes("a/3"), snapshot: snapshot) == nil)
            #expect(
                try db.withValue(orders, bytes("a/1"), snapshot: snapshot) {
                    $0.map { String(decoding: $0, as: UTF8.self) }
                } == "v1")
            #expect(
                try db.multiGet(orders, [bytes("a/1"), bytes("a/3")], snapshot: snapshot).map(string) == ["v1", nil])
            #expect(
                try db.scan(orders, prefix: bytes("a/"), limit: 10, snapshot: snapshot).map { string($0.key)! } == [
                    "a/1", "a/2",
                ])

            let iterator = try db.makeIterator(orders, snapshot: snapshot)
            iterator.seekToFirst()
            var seen: [String] = []
            while iterator.isValid {
                seen.append("\(string(iterator.key)!)=\(string(iterator.value)!)")
                iterator.next()
            }
            try iterator.checkStatus()
            #expect(seen == ["a/1=v1", "a/2=v1"])

            // The latest view sees everything.
            #expect(try db.scan(orders, prefix: bytes("a/"), limit: 10).map { string($0.value)! } == ["v2", "new"])
        }
    }

    @Test func secondOpenOfTheSamePathIsLocked() async throws {
        try await withTemporaryDirectory { path in
            let first = try Database(path: path, columnFamilies: testFamilies)
            let error = storageError { try Database(path: path, columnFamilies: testFamilies) }
            #expect(error?.code == .locked)
            #expect(error?.message.contains("database at \(path) is in use by another process") == true)
            first.close()
            // Released on close.
            let second = try Database(path: path, columnFamilies: testFamilies)
            second.close()
        }
    }

    @Test func garbageInCurrentIsReportedAsCorruption() async throws {
        try await withTemporaryDirectory { path in
            try Database(path: path, columnFamilies: testFamilies).close()
            try Data("this is not a manifest name".utf8).write(to: URL(fileURLWithPath: path + "/CURRENT"))
            let error = storageError { try Database(path: path, columnFamilies: testFamilies) }
            #expect(error?.code == .corruption)
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test func garbageInManifestIsReportedAsAnError() async throws {
        try await withTemporaryDirectory { path in
            do {
                let db = try Database(path: path, columnFamilies: testFamilies)
                try db.put(db.columnFamily("orders"), bytes("k"), bytes("v"))
                try db.flush()
                db.close()
            }
            let manifests = try FileManager.default.contentsOfDirectory(atPath: path).filter {
                $0.hasPrefix("MANIFEST-")
            }
            #expect(!manifests.isEmpty)
            for manifest in manifests {
                try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(
                    to: URL(fileURLWithPath: path + "/" + manifest))
            }
            let error = storageError { try Database(path: path, columnFamilies: testFamilies) }
            #expect(error != nil)
            #expect(error?.code == .corruption)
        }
    }

    @Test func operationsAfterCloseThrowClosed() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            try db.put(orders, bytes("a"), bytes("1"))
            let snapshot = try db.snapshot()
            let iterator = try db.makeIterator(orders)
            iterator.seekToFirst()
            #expect(iterator.isValid)
            let batch = WriteBatch(database: db)

            db.close()
            db.close()  // idempotent
            #expect(db.isClosed)

            #expect(storageError { try db.get(orders, bytes("a")) }?.code == .closed)
            #expect(storageError { try db.get(orders, bytes("a"), snapshot: snapshot) }?.code == .closed)
            #expect(storageError { try db.put(orders, bytes("a"), bytes("2")) }?.code == .closed)
            #expect(storageError { try db.delete(orders, bytes("a")) }?.code == .closed)
            #expect(storageError { try db.scan(orders, prefix: [], limit: 1) }?.code == .closed)
            #expect(storageError { try db.multiGet(orders, [bytes("a")]) }?.code == .closed)
            #expect(storageError { try db.snapshot() }?.code == .closed)
            #expect(storageError { try db.makeIterator(orders) }?.code == .closed)
            #expect(storageError { try db.latestSequenceNumber }?.code == .closed)
            #expect(throws: StorageError.self) { try db.withValue(orders, bytes("a")) { $0 } }

            // The iterator created before close is closed with it.
            #expect(!iterator.isValid)
            iterator.seekToFirst()
            #expect(!iterator.isValid)
            #expect(storageError { try iterator.checkStatus() }?.code == .closed)

            // Batch operations are dropped; writing the batch reports why.
            batch.put(orders, bytes("b"), bytes("1"))
            #expect(batch.count == 0)
            #expect(storageError { try db.write(batch) }?.code == .closed)
        }
    }

    @Test func concurrentReadersRaceWithCloseSafely() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            for i in 0..<200 {
                try db.put(orders, KeyCodec.encode(UInt64(i)), bytes("value \(i)"), sync: false)
            }
            // Readers hammer the database while it closes under them: every call
            // either succeeds or reports `.closed`; nothing touches freed memory.
            let outcomes = await withTaskGroup(of: (ok: Int, closed: Int).self) { group in
                for reader in 0..<8 {
                    group.addTask {
                        var ok = 0
                        var closed = 0
                        for i in 0..<400 {
                            do {
                                let snapshot = reader.isMultiple(of: 2) ? try db.snapshot() : nil
                                _ = try db.get(orders, KeyCodec.encode(UInt64(i % 200)), snapshot: snapshot)
                                _ = try db.scan(orders, prefix: [], limit: 5, snapshot: snapshot)
                                let iterator = try db.makeIterator(orders, snapshot: snapshot)
                                iterator.seekToFirst()
                                if iterator.isValid { _ = iterator.withValue { $0.count } }
                                ok += 1
                            } catch let error as StorageError {
                                #expect(error.code == .closed)
                                closed += 1
                            } catch {
                                Issue.record("unexpected \(error)")
                            }
                        }
                        return (ok, closed)
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(5))
                    db.close()
                    return (0, 0)
                }
                return await group.reduce(into: (ok: 0, closed: 0)) { total, outcome in
                    total.ok += outcome.ok
                    total.closed += outcome.closed
                }
            }
            #expect(outcomes.ok + outcomes.closed == 8 * 400)
            #expect(db.isClosed)
        }
    }

    @Test func errorsDescribeThemselves() {
        let error = StorageError(code: .corruption, message: "bad block")
        #expect(error.description == "corruption: bad block")
        #expect(error.file.hasSuffix("DatabaseTests.swift"))
    }
}
