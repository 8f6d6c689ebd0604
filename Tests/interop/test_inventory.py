"""InventoryService beyond the basics through a stock grpcio client: locations,
purchase orders with receipts, moving-average valuation, the ledger, rich
errors naming the field, and the client-streaming BulkAdjustStock."""

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT, status_details, unpack_details


@pytest.fixture(scope="module")
def inventory(stubs, channel):
    return stubs.inventory_pb2_grpc.InventoryServiceStub(channel)


@pytest.fixture
def warehouse(stubs, catalog, inventory, auth, unique):
    """A fresh warehouse with location A-01 and a product priced in EUR; returns (code, sku)."""
    inv = stubs.inventory_pb2
    sku = f"{unique}-KETTLE"
    catalog.UpsertProduct(
        stubs.catalog_pb2.UpsertProductRequest(
            product=stubs.catalog_pb2.Product(
                sku=sku, name="Kettle", unit_price=stubs.common_pb2.Money(currency_code="EUR", amount_minor=4999)
            )
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    code = f"{unique}-WH"
    inventory.CreateWarehouse(
        inv.CreateWarehouseRequest(warehouse=inv.Warehouse(code=code)), metadata=auth, timeout=RPC_TIMEOUT
    )
    inventory.CreateLocation(
        inv.CreateLocationRequest(location=inv.Location(warehouse_code=code, code="A-01", zone="A")),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    return code, sku


def test_purchase_order_receipts_valuation_and_ledger(stubs, inventory, auth, unique, warehouse):
    inv = stubs.inventory_pb2
    code, sku = warehouse
    po = inventory.CreatePurchaseOrder(
        inv.CreatePurchaseOrderRequest(
            request_id=f"{unique}-po",
            purchase_order=inv.PurchaseOrder(
                supplier="Kettles Ltd",
                warehouse_code=code,
                currency_code="EUR",
                lines=[inv.PurchaseOrderLine(sku=sku, quantity=10, unit_cost_minor=2000)],
            ),
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    ).purchase_order
    assert po.id.startswith("po_") and po.status == inv.PURCHASE_ORDER_STATUS_OPEN
    assert inventory.GetStock(inv.GetStockRequest(sku=sku), metadata=auth, timeout=RPC_TIMEOUT).incoming == 10

    received = inventory.ReceivePurchaseOrder(
        inv.ReceivePurchaseOrderRequest(
            id=po.id, lines=[inv.PurchaseOrderReceiptLine(sku=sku, quantity=6, location_code="A-01")]
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    assert received.purchase_order.status == inv.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED
    assert received.moves[0].kind == inv.STOCK_MOVE_KIND_RECEIPT and received.moves[0].on_hand_after == 6

    with pytest.raises(grpc.RpcError) as over:
        inventory.ReceivePurchaseOrder(
            inv.ReceivePurchaseOrderRequest(id=po.id, lines=[inv.PurchaseOrderReceiptLine(sku=sku, quantity=5)]),
            metadata=auth,
            timeout=RPC_TIMEOUT,
        )
    assert over.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    bad = unpack_details(status_details(over.value, stubs), stubs.error_details_pb2.BadRequest)
    assert bad and bad[0].field_violations[0].field == "lines[0].quantity"

    inventory.ReceivePurchaseOrder(
        inv.ReceivePurchaseOrderRequest(id=po.id, lines=[inv.PurchaseOrderReceiptLine(sku=sku, quantity=4)]),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    level = inventory.GetStock(inv.GetStockRequest(sku=sku), metadata=auth, timeout=RPC_TIMEOUT)
    assert (level.on_hand, level.incoming) == (10, 0)
    assert sorted((row.location_code, row.on_hand) for row in level.locations) == [("", 4), ("A-01", 6)]

    valuation = inventory.GetValuation(inv.GetValuationRequest(sku=sku), metadata=auth, timeout=RPC_TIMEOUT)
    assert [(line.on_hand, line.unit_cost_minor, line.value_minor) for line in valuation.lines] == [(10, 2000, 20000)]
    assert [(t.currency_code, t.amount_minor) for t in valuation.totals] == [("EUR", 20000)]

    moves = inventory.ListMovements(
        inv.ListMovementsRequest(sku=sku, kind=inv.STOCK_MOVE_KIND_RECEIPT), metadata=auth, timeout=RPC_TIMEOUT
    ).moves
    assert [move.on_hand_delta for move in moves] == [6, 4]
    assert all(move.reference == f"po:{po.id}" for move in moves)


def test_bulk_adjust_stock_client_stream_reports_only_the_bad_rows(stubs, inventory, auth, unique, warehouse):
    inv = stubs.inventory_pb2
    code, sku = warehouse

    def rows():
        for number in range(1, 2001):
            delta = 0 if number % 100 == 0 else 1
            yield inv.BulkAdjustStockRow(row_number=number, sku=sku, warehouse_code=code, delta=delta, reason="bulk")

    reply = inventory.BulkAdjustStock(rows(), metadata=auth, timeout=60)
    assert (reply.rows_received, reply.rows_applied, reply.rows_failed) == (2000, 1980, 20)
    assert [failure.row_number for failure in reply.failures] == list(range(100, 2001, 100))
    assert {(failure.code, failure.field) for failure in reply.failures} == {("INVALID_ARGUMENT", "delta")}
    level = inventory.GetStock(inv.GetStockRequest(sku=sku), metadata=auth, timeout=RPC_TIMEOUT)
    assert level.on_hand == 1980
