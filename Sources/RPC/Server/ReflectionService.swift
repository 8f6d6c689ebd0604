public import OMSProto

/// `grpc.reflection.v1.ServerReflection` and its older `v1alpha` twin (which
/// grpcurl and many tools still call): lists services and serves the
/// `FileDescriptorProto`s of the API so tools can call it without .proto files.
///
/// The two versions have identical messages on the wire, so both paths are
/// served with the v1 Swift types.
public struct ReflectionService: Sendable {
    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    private let index: ReflectionIndex
    private let listedServices: [String]

    /// - Parameters:
    ///   - files: every .proto file the API uses (normally `ProtoDescriptors.files`).
    ///   - services: the services to list (normally `router.services` plus reflection itself).
    public init(files: [ProtoFileDescriptor], services: [String]) {
        self.index = ReflectionIndex(files: files)
        self.listedServices = services.sorted()
    }

    public func register(in router: inout Router) {
        let v1 = Grpc_Reflection_V1_ServerReflection.Method.serverReflectionInfo
        // v1alpha's messages are v1's, field for field: one handler serves both.
        let alpha = Grpc_Reflection_V1alpha_ServerReflection.Method.serverReflectionInfo
        let v1alpha = ProtoMethod<Request, Response>(
            service: alpha.service, name: alpha.name, clientStreaming: alpha.clientStreaming,
            serverStreaming: alpha.serverStreaming)
        for method in [v1, v1alpha] {
            router.bidirectionalStreaming(method) { requests, writer, _ in
                for try await request in requests {
                    try await writer.write(answer(request))
                }
            }
        }
    }

    func answer(_ request: Request) -> Response {
        var response = Response()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .fileByFilename(let name):
            response.messageResponse = files(index.fileWithDependencies(name), missing: "file \(name)")
        case .fileContainingSymbol(let symbol):
            response.messageResponse = files(
                index.file(containingSymbol: symbol).flatMap(index.fileWithDependencies), missing: "symbol \(symbol)")
        case .listServices:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = listedServices.map { name in Grpc_Reflection_V1_ServiceResponse.with { $0.name = name } }
            response.messageResponse = .listServicesResponse(list)
        case .fileContainingExtension, .allExtensionNumbersOfType:
            response.messageResponse = .errorResponse(
                .with {
                    $0.errorCode = RPCError.Code.notFound.rawValue
                    $0.errorMessage = "this API declares no extensions"
                })
        case nil:
            response.messageResponse = .errorResponse(
                .with {
                    $0.errorCode = RPCError.Code.invalidArgument.rawValue
                    $0.errorMessage = "message_request is not set"
                })
        }
        return response
    }

    private func files(_ files: [ProtoFileDescriptor]?, missing: String) -> Response.OneOf_MessageResponse {
        guard let files else {
            return .errorResponse(
                .with {
                    $0.errorCode = RPCError.Code.notFound.rawValue
                    $0.errorMessage = "\(missing) not found"
                })
        }
        var descriptors = Grpc_Reflection_V1_FileDescriptorResponse()
        descriptors.fileDescriptorProto = files.map { Array($0.serializedFileDescriptorProto) }
        return .fileDescriptorResponse(descriptors)
    }
}
