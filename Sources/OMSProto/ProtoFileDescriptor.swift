/// One .proto file of `ProtoDescriptors.files`: what gRPC server reflection
/// needs to answer "file by name" and "file containing symbol".
public struct ProtoFileDescriptor: Sendable, Hashable {
    /// Path as imported, e.g. `oms/v1/catalog.proto`.
    public let name: String
    public let package: String
    /// Names of the files this one imports.
    public let dependencies: [String]
    /// Fully qualified messages, enums, services and methods (`pkg.Service.Method`) it declares.
    public let symbols: [String]
    /// The serialized `google.protobuf.FileDescriptorProto`, a slice of `ProtoDescriptors.fileDescriptorSet`.
    public let serializedFileDescriptorProto: ArraySlice<UInt8>
}
