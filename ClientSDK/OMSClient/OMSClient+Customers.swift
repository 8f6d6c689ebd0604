extension OMSClient {
    /// `oms.v1.CustomerService`: customer records.
    public var customers: Customers { Customers(client: self) }

    /// Calls of `oms.v1.CustomerService`.
    public struct Customers: Sendable {
        let client: OMSClient

        /// Creates a customer (an empty `id` gets a server-generated `cus_…`
        /// id) or replaces every mutable field of an existing one.
        ///
        /// - Parameter expectedVersion: when non-zero, write only if the
        ///   stored version equals it (``OMSError/Code/aborted`` otherwise).
        public func upsert(
            _ customer: Oms_V1_Customer, expectedVersion: Int64 = 0, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (customer: Oms_V1_Customer, created: Bool) {
            var request = Oms_V1_UpsertCustomerRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.customer = customer
            request.expectedVersion = expectedVersion
            let response = try await client.call(
                Oms_V1_CustomerService.Method.upsertCustomer, request, options: options, idempotent: true)
            return (response.customer ?? Oms_V1_Customer(), response.created)
        }

        /// The customer with this id; ``OMSError/Code/notFound`` when there is none.
        public func get(id: String, options: CallOptions = CallOptions()) async throws(OMSError) -> Oms_V1_Customer {
            var request = Oms_V1_GetCustomerRequest()
            request.id = id
            let response = try await client.call(
                Oms_V1_CustomerService.Method.getCustomer, request, options: options, idempotent: true)
            guard let customer = response.customer else {
                throw OMSError(code: .internalError, message: "the server answered GetCustomer without a customer")
            }
            return customer
        }

        /// One page of customers in id order.
        public func list(
            pageSize: Int = 0, pageToken: String? = nil, options: CallOptions = CallOptions()
        )
            async throws(OMSError) -> Page<Oms_V1_Customer>
        {
            guard (0...Int(Int32.max)).contains(pageSize) else {
                throw OMSError(code: .invalidArgument, message: "pageSize must be from 0 to 1000")
            }
            var request = Oms_V1_ListCustomersRequest()
            request.pageSize = Int32(pageSize)
            request.pageToken = pageToken ?? ""
            let response = try await client.call(
                Oms_V1_CustomerService.Method.listCustomers, request, options: options, idempotent: true)
            return Page(
                items: response.customers,
                nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Every customer in id order, fetching pages as the sequence is iterated.
        public func all(
            pageSize: Int = 0, options: CallOptions = CallOptions()
        )
            -> AsyncThrowingStream<Oms_V1_Customer, any Error>
        {
            let cursor = PageCursor<Oms_V1_Customer> { token throws(OMSError) in
                try await self.list(pageSize: pageSize, pageToken: token, options: options)
            }
            return AsyncThrowingStream(unfolding: { try await cursor.next() })
        }
    }
}
