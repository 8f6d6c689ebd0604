import Storage
import Testing

@Suite struct RangeReaderTests {
    private func seed(_ db: Database, _ cf: ColumnFamily) throws {
        let batch = WriteBatch(database: db)
        for key in ["a", "a/1", "a/2", "a/3", "a0", "b", "b/1", "c/"] {
            batch.put(cf, bytes(key), bytes("v" + key))
        }
        batch.put(cf, bytes("e/empty"), [UInt8]())
        try db.write(batch, sync: false)
    }

    private func rows(_ reader: borrowing RangeReader, _ prefix: String) throws -> [String] {
        var seen: [String] = []
        try reader.forEach(prefix: bytes(prefix)) { key, value in
            seen.append(String(decoding: key, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self))
        }
        return seen
    }

    @Test func prefixesAndExactKeysThroughOneIterator() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try seed(db, cf)
            try db.withReader(cf) { reader throws in
                // Seeks go back and forth on the same iterator.
                #expect(try rows(reader, "b/") == ["b/1=vb/1"])
                #expect(try rows(reader, "a/") == ["a/1=va/1", "a/2=va/2", "a/3=va/3"])
                #expect(try rows(reader, "a") == ["a=va", "a/1=va/1", "a/2=va/2", "a/3=va/3", "a0=va0"])
                #expect(try rows(reader, "a/3") == ["a/3=va/3"])
                #expect(try rows(reader, "a/4").isEmpty)
                #expect(try rows(reader, "zz").isEmpty)  // past the last key
                #expect(try rows(reader, "e/") == ["e/empty="])
                #expect(try rows(reader, "").count == 9)
                #expect(try reader.contains(bytes("a0")))
                #expect(try reader.contains(bytes("c/")))
                #expect(try !reader.contains(bytes("a/")))  // a prefix of keys, not a key
                #expect(try !reader.contains(bytes("c")))
                #expect(try !reader.contains(bytes("zz")))
                #expect(try reader.contains(bytes("a")))
            }
            db.close()
        }
    }

    @Test func readsOnePointInTime() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try seed(db, cf)
            let before = try db.snapshot()
            try db.put(cf, bytes("a/9"), bytes("later"), sync: false)
            try db.delete(cf, bytes("b/1"), sync: false)
            try db.withReader(cf) { reader throws in
                #expect(try rows(reader, "a/").count == 4)
                // Writes after the reader started are not seen, by any later seek.
                try db.put(cf, bytes("a/5"), bytes("during"), sync: false)
                try db.put(cf, bytes("d"), bytes("during"), sync: false)
                #expect(try rows(reader, "a/").count == 4)
                #expect(try !reader.contains(bytes("d")))
                #expect(try rows(reader, "b/").isEmpty)
            }
            try db.withReader(cf, snapshot: before) { reader throws in
                #expect(try rows(reader, "a/") == ["a/1=va/1", "a/2=va/2", "a/3=va/3"])
                #expect(try rows(reader, "b/") == ["b/1=vb/1"])
                #expect(try !reader.contains(bytes("d")))
            }
            try db.withReader(cf) { reader throws in
                #expect(try rows(reader, "a/").count == 5)
                #expect(try reader.contains(bytes("d")))
            }
            db.close()
        }
    }

    @Test func errorsAndResults() async throws {
        struct Stop: Error {}
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let cf = db.columnFamily("orders")
            try seed(db, cf)
            #expect(try db.withReader(cf) { reader in try rows(reader, "a/").count } == 3)
            var visited = 0
            #expect(throws: Stop.self) {
                try db.withReader(cf) { reader throws in
                    try reader.forEach(prefix: bytes("a/")) { _, _ in
                        visited += 1
                        if visited == 2 { throw Stop() }
                    }
                }
            }
            #expect(visited == 2)
            // The reader of a failed call was freed; the database still works.
            #expect(try db.withReader(cf) { try $0.contains(bytes("b")) })
            db.close()
            #expect(storageError { try db.withReader(cf) { _ in 1 } }?.code == .closed)
        }
    }
}
