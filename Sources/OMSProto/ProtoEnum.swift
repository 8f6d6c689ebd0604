/// A protobuf enum generated from Proto/.
///
/// Each value declared in the .proto file is a case; any other number read
/// from the wire becomes `UNRECOGNIZED(n)` and is written back unchanged, so
/// newer peers' values survive a round trip through this build.
public protocol ProtoEnum: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == Int32 {
    /// The first declared value (number 0), the proto3 default.
    init()

    /// The case for a name as written in the .proto file (`PRODUCT_STATUS_ACTIVE`), or nil.
    init?(protoName: String)

    /// The name as written in the .proto file; for an unrecognized value, its number.
    var protoName: String { get }
}
