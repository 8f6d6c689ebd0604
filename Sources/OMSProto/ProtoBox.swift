/// Heap storage for a message field whose type contains the message itself
/// (directly or through other messages): a Swift struct cannot contain
/// itself, so the generator stores such fields in a box. Immutable, so it
/// keeps value semantics: setting the field replaces the box.
final class ProtoBox<Value: ProtoMessage>: Hashable, Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }

    static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool {
        lhs.value == rhs.value
    }

    func hash(into hasher: inout Hasher) {
        value.hash(into: &hasher)
    }
}
