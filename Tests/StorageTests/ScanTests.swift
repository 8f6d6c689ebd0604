import Storage
import Testing

@Suite struct ScanTests {
    /// 25 keys `a/00`…`a/24` plus neighbours that a prefix scan of `a/` must skip.
    private func seed(_ db: Database, _ cf: ColumnFamily) throws {
        let batch = WriteBatch(database: db)
        for i in 0..<25 {
            let n = i < 10 ? "0\(i)" : "\(i)"
            batch.put(cf, bytes("a/\(n)"), bytes("v\(i)"))
        }
        batch.put(cf, bytes("a"), bytes("before"))
        batch.put(cf, bytes("a0"), bytes("after"))
        batch.put(cf, bytes("b/00"), bytes("other"))
        try db.write(batch, sync: false)
    }

    @Test func prefixScanPagesWithAfter() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try seed(db, cf)

            var pages: [[String]] = []
            var after: [UInt8]? = nil
            while true {
                let page = try db.scan(cf, prefix: bytes("a/"), after: after, limit: 10)
                if page.isEmpty { break }
                pages.append(page.map { string($0.key)! })
                after = page.last!.key
            }
            #expect(pages.map(\.count) == [10, 10, 5])
            let all = pages.flatMap { $0 }
            #expect(all.first == "a/00")
            #expect(all.last == "a/24")
            #expect(all == all.sorted())
            #expect(Set(all).count == 25)

            // Reverse paging walks the same keys backwards.
            var reversed: [String] = []
            after = nil
            repeat {
                let page = try db.scan(cf, prefix: bytes("a/"), after: after, limit: 7, reverse: true)
                reversed += page.map { string($0.key)! }
                after = page.last?.key
                if page.count < 7 { break }
            } while true
            #expect(reversed == all.reversed())

            #expect(try db.scan(cf, prefix: bytes("a/"), limit: 0).isEmpty)
            #expect(try db.scan(cf, prefix: bytes("zzz"), limit: 5).isEmpty)
            // `after` beyond the prefix: nothing left.
            #expect(try db.scan(cf, prefix: bytes("a/"), after: bytes("a/99"), limit: 5).isEmpty)
            // `after` before the prefix: starts at the prefix.
            #expect(
                try db.scan(cf, prefix: bytes("a/"), after: bytes("a"), limit: 1).map { string($0.key)! } == ["a/00"])
        }
    }

    @Test func prefixOfAllFFBytesScansToTheEnd() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try db.put(cf, [0xFF, 0xFF, 0x01], bytes("x"), sync: false)
            try db.put(cf, [0xFF, 0xFE], bytes("y"), sync: false)
            let entries = try db.scan(cf, prefix: [0xFF, 0xFF], limit: 10)
            #expect(entries.map(\.key) == [[0xFF, 0xFF, 0x01]])
            #expect(try db.scan(cf, prefix: [], limit: 10).count == 2)
        }
    }

    @Test func rangeScanRespectsBounds() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let events = db.columnFamily("events")
            let batch = WriteBatch(database: db)
            for sequence: UInt64 in 1...100 {
                batch.put(events, KeyCodec.encode(sequence), bytes("e\(sequence)"))
            }
            try db.write(batch)

            let window = try db.scan(events, from: KeyCodec.encode(10), to: KeyCodec.encode(20), limit: 100)
            #expect(window.map { string($0.value)! } == (10..<20).map { "e\($0)" })

            // Event-feed style: everything after sequence 95, no upper end.
            let tail = try db.scan(events, from: [], to: nil, after: KeyCodec.encode(95), limit: 100)
            #expect(tail.map { string($0.value)! } == ["e96", "e97", "e98", "e99", "e100"])

            // Newest first, below an exclusive resume key.
            let newest = try db.scan(events, from: [], to: nil, after: KeyCodec.encode(50), limit: 3, reverse: true)
            #expect(newest.map { string($0.value)! } == ["e49", "e48", "e47"])

            let reversedWindow = try db.scan(
                events, from: KeyCodec.encode(10), to: KeyCodec.encode(13), limit: 10, reverse: true)
            #expect(reversedWindow.map { string($0.value)! } == ["e12", "e11", "e10"])

            #expect(try db.scan(events, from: KeyCodec.encode(20), to: KeyCodec.encode(10), limit: 10).isEmpty)
        }
    }

    @Test func iteratorMovesWithinItsBounds() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try seed(db, cf)

            let iterator = try db.makeIterator(cf, lowerBound: bytes("a/05"), upperBound: bytes("a/10"))
            iterator.seekToFirst()
            #expect(string(iterator.key) == "a/05")
            iterator.seekToLast()
            #expect(string(iterator.key) == "a/09")
            iterator.prev()
            #expect(string(iterator.key) == "a/08")
            #expect(string(iterator.value) == "v8")
            iterator.seek(to: bytes("a/07x"))
            #expect(string(iterator.key) == "a/08")
            iterator.seekForPrev(bytes("a/07x"))
            #expect(string(iterator.key) == "a/07")
            #expect(iterator.withKey { $0.count } == 4)
            #expect(iterator.withValue { $0.first } == UInt8(ascii: "v"))
            iterator.seek(to: bytes("a/20"))
            #expect(!iterator.isValid)
            try iterator.checkStatus()

            // Unbounded: walks every key in order.
            let all = try db.makeIterator(cf)
            var count = 0
            all.seekToFirst()
            var previous: [UInt8]? = nil
            while all.isValid {
                let key = all.key
                if let previous { #expect(KeyCodec.compare(previous, key) < 0) }
                previous = key
                count += 1
                all.next()
            }
            try all.checkStatus()
            #expect(count == 28)
        }
    }

    @Test func scanSeesFlushedAndMemtableData() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            for i in 0..<50 where i % 2 == 0 {
                try db.put(cf, KeyCodec.encode(UInt64(i)), bytes("\(i)"), sync: false)
            }
            try db.flush()
            for i in 0..<50 where i % 2 == 1 {
                try db.put(cf, KeyCodec.encode(UInt64(i)), bytes("\(i)"), sync: false)
            }
            let values = try db.scan(cf, from: KeyCodec.encode(0), to: nil, limit: 100).map { string($0.value)! }
            #expect(values == (0..<50).map { "\($0)" })
            #expect(try db.property("rocksdb.estimate-num-keys", columnFamily: cf) != nil)
            #expect(try db.property("rocksdb.no-such-property") == nil)
        }
    }
}
