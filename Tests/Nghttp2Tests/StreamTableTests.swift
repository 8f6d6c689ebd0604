import Nghttp2
import Testing

@Suite("StreamTable")
struct StreamTableTests {
    @Test("behaves like a dictionary under random inserts and removals, including slot collisions")
    func matchesDictionary() {
        var generator = SplitMix64(seed: 99)
        var table = StreamTable<Int>(capacity: 8)  // tiny, so collisions are frequent
        var reference: [Int32: Int] = [:]
        for step in 0..<20_000 {
            let id = Int32(generator.next() % 200) * 2 + 1
            switch generator.next() % 3 {
            case 0, 1:
                table[id] = step
                reference[id] = step
            default:
                #expect(table.removeValue(for: id) == reference.removeValue(forKey: id))
            }
            #expect(table[id] == reference[id])
            #expect(table.count == reference.count)
        }
        #expect(table.values.sorted() == reference.values.sorted())
        for id in reference.keys { #expect(table[id] == reference[id]) }
        table.removeAll()
        #expect(table.isEmpty && table[1] == nil)
    }

    @Test("a later stream whose slot is taken by an older open stream is still found")
    func collision() {
        var table = StreamTable<String>(capacity: 4)
        table[1] = "old"
        table[9] = "new"  // same slot as 1 (4 slots, id / 2)
        #expect(table[1] == "old" && table[9] == "new" && table.count == 2)
        table[1] = nil
        #expect(table[9] == "new" && table[1] == nil && table.count == 1)
        table[17] = "newer"  // slot free again
        #expect(table[17] == "newer" && table[9] == "new" && table.count == 2)
    }
}
