import NIOCore
import OMSCore
import OMSProto
import ProcessMemory
import RPC

/// `oms.v1.AdminService`: reachability, server facts and API keys for
/// operators (admin keys only: AuthInterceptor refuses service keys).
struct AdminServiceProvider {
    static let maxPingDelayMillis: Int32 = 10_000

    let store: OMSStore
    let keys: ApiKeys
    let reads: ReadPool
    let startedAtMillis: Int64
    let dataDirectory: String
    let listenAddress: @Sendable () -> String
    /// Resident bytes the heap trimmer gave back since start.
    let heapReleased: @Sendable () -> UInt64

    func register(in router: inout Router) {
        let store = self.store
        let startedAt = startedAtMillis
        let dataDirectory = self.dataDirectory
        let listenAddress = self.listenAddress
        let heapReleased = self.heapReleased
        let keys = self.keys
        let reads = self.reads
        router.unary(Oms_V1_AdminService.Method.ping) { request, context, responder in
            guard request.delayMillis >= 0, request.delayMillis <= Self.maxPingDelayMillis else {
                responder.fail(
                    RPCError.invalidArgument(
                        field: "delay_millis", "must be between 0 and \(Self.maxPingDelayMillis)"))
                return
            }
            let answer: @Sendable () -> Void = {
                var response = Oms_V1_PingResponse()
                response.serverTimeMillis = store.clock.nowMillis()
                response.payload = request.payload
                responder.succeed(response)
            }
            if request.delayMillis == 0 {
                answer()
            } else {
                // A timer on the loop, not a sleeping thread: a cancelled or
                // expired call simply ignores the late answer.
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(request.delayMillis))) { answer() }
            }
        }
        router.unary(Oms_V1_AdminService.Method.getServerInfo) { _, _, responder in
            let stats = store.writeStatistics
            var info = Oms_V1_ServerInfo()
            info.version = OMSDaemon.version
            info.startedAtMillis = startedAt
            info.uptimeMillis = store.clock.nowMillis() - startedAt
            info.dataDir = dataDirectory
            info.listenAddress = listenAddress()
            info.writeGroups = UInt64(stats.groups)
            info.writeCommands = UInt64(stats.commands)
            info.maxGroupSize = UInt64(stats.maxGroupSize)
            var memory = Oms_V1_MemoryUsage()
            memory.residentBytes = ProcessMemory.residentBytes()
            if let database = try? store.storageMemory() {
                memory.blockCacheBytes = database.blockCache
                memory.blockCacheCapacityBytes = database.blockCacheCapacity
                memory.blockCachePinnedBytes = database.blockCachePinned
                memory.memtableBytes = database.memtables
                memory.tableReaderBytes = database.tableReaders
            }
            let heap = ProcessMemory.heap()
            memory.heapInUseBytes = heap.inUse
            memory.heapHeldBytes = heap.held
            memory.heapReleasedBytes = heapReleased()
            info.memory = memory
            let replies = store.stockReplies.statistics
            var cache = Oms_V1_ReplyCacheStats()
            cache.hits = replies.hits
            cache.misses = replies.misses
            cache.evictions = replies.evictions
            cache.entries = UInt64(replies.entries)
            cache.bytes = UInt64(replies.bytes)
            cache.capacityBytes = UInt64(store.stockReplies.capacity)
            info.stockReplyCache = cache
            responder.succeed(info)
        }
        router.unary(Oms_V1_AdminService.Method.createApiKey) { request, context in
            do {
                let (key, token) = try await keys.create(
                    name: request.name, role: request.role, createdBy: context.principal ?? "anonymous")
                var response = Oms_V1_CreateApiKeyResponse()
                response.key = key
                response.token = token
                return response
            } catch {
                throw ErrorMapping.rpcError(error)
            }
        }
        router.scan(Oms_V1_AdminService.Method.listApiKeys, on: reads) { _ in
            var response = Oms_V1_ListApiKeysResponse()
            response.keys = try keys.list()
            return response
        }
        router.unary(Oms_V1_AdminService.Method.revokeApiKey) { request, context in
            do {
                var response = Oms_V1_RevokeApiKeyResponse()
                response.key = try await keys.revoke(name: request.name, revokedBy: context.principal ?? "anonymous")
                return response
            } catch {
                throw ErrorMapping.rpcError(error)
            }
        }
    }
}
