"""OrderService.ImportOrders through a stock grpcio client: a row's
order.created_at_millis keeps a migrated order's historical placement time
(its created_at and its SalesReport day), a time in the future fails the row
with INVALID_ARGUMENT naming the field, and the payment deadline counts from
the import, not from the historical time."""

import datetime
import time

import grpc

from omsd_harness import RPC_TIMEOUT

DAY_MS = 86_400_000


def test_import_keeps_historical_placement_time(omsd_factory, stubs):
    server = omsd_factory.start()
    auth = (("authorization", f"Bearer {server.token}"),)
    money = stubs.common_pb2.Money
    inv, pb, rep = stubs.inventory_pb2, stubs.orders_pb2, stubs.reports_pb2
    with grpc.insecure_channel(server.address) as channel:
        inventory = stubs.inventory_pb2_grpc.InventoryServiceStub(channel)
        orders = stubs.orders_pb2_grpc.OrderServiceStub(channel)
        reports = stubs.reports_pb2_grpc.ReportServiceStub(channel)
        inventory.CreateWarehouse(inv.CreateWarehouseRequest(warehouse=inv.Warehouse(code="DC", name="DC", priority=1)),
                                  metadata=auth, timeout=RPC_TIMEOUT)
        inventory.AdjustStock(inv.AdjustStockRequest(warehouse_code="DC", sku="MIG-1", delta=100, reason="receipt"),
                              metadata=auth, timeout=RPC_TIMEOUT)

        today = datetime.datetime.now(datetime.timezone.utc).date()
        placed_day = today - datetime.timedelta(days=30)
        midnight = datetime.datetime.combine(placed_day, datetime.time(), datetime.timezone.utc)
        placed_ms = int(midnight.timestamp() * 1000) + 10 * 3_600_000  # 10:00 UTC, 30 days ago
        future_ms = int(time.time() * 1000) + 3_600_000

        def row(request_id, created_at_millis, amount):
            return pb.CreateOrderRequest(request_id=request_id, order=pb.Order(
                customer_id="MIGRATED", channel="erp", currency_code="USD", created_at_millis=created_at_millis,
                lines=[pb.OrderLine(sku="MIG-1", quantity=1, unit_price=money(currency_code="USD", amount_minor=amount))],
                shipping_address=stubs.customers_pb2.Address(name="Ada", line1="1 Main St", city="London",
                                                             country_code="GB")))

        before_ms = int(time.time() * 1000)
        summary = orders.ImportOrders(iter([row("mig-0", placed_ms, 4200), row("mig-1", future_ms, 100)]),
                                      metadata=auth, timeout=RPC_TIMEOUT)
        after_ms = int(time.time() * 1000)

        # The future row fails alone, naming the field; the historical one is applied.
        assert (summary.received, summary.created, summary.failed) == (2, 1, 1)
        failure = summary.failures[0]
        assert (failure.index, failure.request_id) == (1, "mig-1")
        assert failure.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        assert list(failure.fields) == ["order.created_at_millis"]

        order = orders.GetOrder(pb.GetOrderRequest(id=summary.first_order_id), metadata=auth, timeout=RPC_TIMEOUT).order
        assert order.created_at_millis == placed_ms
        assert order.status == pb.ORDER_STATUS_PENDING_PAYMENT
        # The deadline (3 days by default) counts from the import: 30 days after placement, still not due.
        deadline_ms = order.payment_due_at_millis - order.updated_at_millis
        assert before_ms <= order.updated_at_millis <= after_ms
        assert deadline_ms > 0
        assert order.payment_due_at_millis > after_ms
        assert order.payment_due_at_millis - placed_ms > 30 * DAY_MS

        # SalesReport puts the order on its placement day, not on today.
        sales = reports.SalesReport(rep.SalesReportRequest(
            range=rep.ReportRange(from_date=(placed_day - datetime.timedelta(days=1)).isoformat(),
                                  to_date=today.isoformat(), time_zone="UTC"),
            period=rep.REPORT_PERIOD_DAY, dimension=rep.SALES_DIMENSION_CHANNEL), metadata=auth, timeout=RPC_TIMEOUT)
        rows = [(r.period_start, r.key, r.orders, r.revenue_minor) for r in sales.rows if r.orders or r.cancelled_orders]
        assert rows == [(placed_day.isoformat(), "erp", 1, 4200)]

        # CreateOrder ignores the field: its order is placed now.
        created = orders.CreateOrder(row("now-0", placed_ms, 100), metadata=auth, timeout=RPC_TIMEOUT).order
        assert created.created_at_millis >= before_ms
