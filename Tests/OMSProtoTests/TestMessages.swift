import OMSProto

/// Messages with every kind of field the real protos have set to non-default values.
enum TestMessages {
    static let money = Oms_V1_Money.with {
        $0.currencyCode = "EUR"
        $0.amountMinor = -1_234_567_890_123
    }

    static let product = Oms_V1_Product.with {
        $0.sku = "SKU-001.a_b"
        $0.name = "Widget — ünïcødé 🚀"
        $0.description_p = String(repeating: "long description ", count: 100)
        $0.unitPrice = money
        $0.status = .discontinued
        $0.weightGrams = Int64.max
        $0.attributes = ["color": "red", "size": "XL", "": "empty key", "empty value": ""]
        $0.version = 42
        $0.createdAtMillis = 1_700_000_000_000
        $0.updatedAtMillis = -1
    }

    static let listResponse = Oms_V1_ListProductsResponse.with {
        $0.products = [
            product, Oms_V1_Product(),
            .with {
                $0.sku = "second"
                $0.status = .active
            },
        ]
        $0.nextPageToken = "opaque-token"
    }

    static let badRequest = Google_Rpc_BadRequest.with {
        $0.fieldViolations = [
            .with {
                $0.field = "product.sku"
                $0.description_p = "must not be empty"
                $0.reason = "REQUIRED"
            },
            .with {
                $0.field = "product.unit_price"
                $0.reason = "NEGATIVE"
            },
        ]
    }

    static let errorInfo = Google_Rpc_ErrorInfo.with {
        $0.reason = "STOCK_EXHAUSTED"
        $0.domain = "oms.example"
        $0.metadata = ["sku": "SKU-1", "warehouse": "W1"]
    }

    static let status = Google_Rpc_Status.with {
        $0.code = 3
        $0.message = "invalid argument"
        $0.details = [
            .with {
                $0.typeURL = "type.googleapis.com/google.rpc.BadRequest"
                $0.value = badRequest.serializedBytes()
            },
            .with {
                $0.typeURL = "type.googleapis.com/google.rpc.ErrorInfo"
                $0.value = errorInfo.serializedBytes()
            },
            .with {
                $0.typeURL = "type.googleapis.com/empty"
                $0.value = []
            },
        ]
    }

    static let idempotencyRecord = Oms_V1_IdempotencyRecord.with {
        $0.method = "/oms.v1.CatalogService/UpsertProduct"
        $0.requestFingerprint = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        $0.response = [0, 0xFF, 0x80, 0x7F, 0]
        $0.createdAtMillis = 5
    }

    static let event = Oms_V1_Event.with {
        $0.sequence = UInt64.max
        $0.type = "product.upserted"
        $0.requestID = "req-1"
        $0.payload = .product(product)
    }
}
