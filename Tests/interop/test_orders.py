"""OrderService / InventoryService through a stock grpcio client, with the fixed
field names of DESIGN.md: CreateOrder, GetOrder, RecordPayment, CancelOrder,
stock reservation and rich errors."""

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT, status_details, unpack_details


@pytest.fixture(scope="session")
def orders(stubs, channel):
    return stubs.orders_pb2_grpc.OrderServiceStub(channel)


@pytest.fixture(scope="session")
def inventory(stubs, channel):
    return stubs.inventory_pb2_grpc.InventoryServiceStub(channel)


@pytest.fixture
def stocked(stubs, catalog, inventory, auth, unique):
    """A product priced 12.50 USD with 10 units in a fresh warehouse; returns its sku."""
    sku = f"{unique}-SKU"
    catalog.UpsertProduct(
        stubs.catalog_pb2.UpsertProductRequest(
            product=stubs.catalog_pb2.Product(
                sku=sku, name="Widget", unit_price=stubs.common_pb2.Money(currency_code="USD", amount_minor=1250)
            )
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    inv = stubs.inventory_pb2
    inventory.CreateWarehouse(
        inv.CreateWarehouseRequest(warehouse=inv.Warehouse(code=f"{unique}-WH", name="Main", priority=1)),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    inventory.AdjustStock(
        inv.AdjustStockRequest(
            request_id=f"{unique}-adj", warehouse_code=f"{unique}-WH", sku=sku, delta=10, reason="receipt"
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    return sku


def fixed_order(stubs, sku, quantity, **extra):
    """An Order with only the fixed fields (plus whatever the test adds)."""
    pb = stubs.orders_pb2
    return pb.Order(
        customer_id="CUST-1",
        channel="web",
        currency_code="USD",
        lines=[pb.OrderLine(sku=sku, quantity=quantity)],
        **extra,
    )


def address(stubs):
    return stubs.customers_pb2.Address(name="Ada", line1="1 Main St", city="London", country_code="GB")


def stock(stubs, inventory, auth, sku):
    return inventory.GetStock(stubs.inventory_pb2.GetStockRequest(sku=sku), metadata=auth, timeout=RPC_TIMEOUT)


def test_create_order_with_only_the_fixed_fields_reserves_stock(stubs, orders, inventory, auth, unique, stocked):
    pb = stubs.orders_pb2
    reply = orders.CreateOrder(
        pb.CreateOrderRequest(request_id=f"{unique}-c1", order=fixed_order(stubs, stocked, 3)),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    order = reply.order
    assert order.id.startswith("ord_")
    assert order.version == 1
    # No address: created, reserved, flagged INCOMPLETE and on hold.
    assert order.status == pb.ORDER_STATUS_ON_HOLD
    assert pb.ORDER_FLAG_INCOMPLETE in order.flags
    assert order.totals.total_minor == 3750
    assert order.lines[0].unit_price.amount_minor == 1250
    assert order.lines[0].reservations[0].warehouse_code == f"{unique}-WH"
    assert order.lines[0].reservations[0].reason

    level = stock(stubs, inventory, auth, stocked)
    assert (level.on_hand, level.reserved, level.available) == (10, 3, 7)

    got = orders.GetOrder(pb.GetOrderRequest(id=order.id), metadata=auth, timeout=RPC_TIMEOUT)
    assert got.order == order

    retry = orders.CreateOrder(
        pb.CreateOrderRequest(request_id=f"{unique}-c1", order=fixed_order(stubs, stocked, 3)),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    assert retry == reply
    with pytest.raises(grpc.RpcError) as error:
        orders.CreateOrder(
            pb.CreateOrderRequest(request_id=f"{unique}-c1", order=fixed_order(stubs, stocked, 4)),
            metadata=auth,
            timeout=RPC_TIMEOUT,
        )
    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_record_payment_partial_then_full_makes_the_order_paid(stubs, orders, auth, unique, stocked):
    pb = stubs.orders_pb2
    money = stubs.common_pb2.Money
    order = orders.CreateOrder(
        pb.CreateOrderRequest(order=fixed_order(stubs, stocked, 2, shipping_address=address(stubs))),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    ).order
    assert order.status == pb.ORDER_STATUS_PENDING_PAYMENT

    first = orders.RecordPayment(
        pb.RecordPaymentRequest(
            request_id=f"{unique}-p1", order_id=order.id, amount=money(currency_code="USD", amount_minor=1000)
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    assert first.order.status == pb.ORDER_STATUS_PENDING_PAYMENT
    assert first.outstanding_minor == 1500

    with pytest.raises(grpc.RpcError) as wrong_currency:
        orders.RecordPayment(
            pb.RecordPaymentRequest(order_id=order.id, amount=money(currency_code="EUR", amount_minor=1)),
            metadata=auth,
            timeout=RPC_TIMEOUT,
        )
    assert wrong_currency.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    bad = unpack_details(status_details(wrong_currency.value, stubs), stubs.error_details_pb2.BadRequest)
    assert bad and bad[0].field_violations[0].field == "amount.currency_code"

    with pytest.raises(grpc.RpcError) as over:
        orders.RecordPayment(
            pb.RecordPaymentRequest(order_id=order.id, amount=money(currency_code="USD", amount_minor=1501)),
            metadata=auth,
            timeout=RPC_TIMEOUT,
        )
    assert over.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    paid = orders.RecordPayment(
        pb.RecordPaymentRequest(
            request_id=f"{unique}-p2", order_id=order.id, amount=money(currency_code="USD", amount_minor=1500)
        ),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    assert paid.order.status == pb.ORDER_STATUS_PAID
    assert paid.order.totals.paid_minor == 2500
    assert paid.outstanding_minor == 0


def test_cancel_order_releases_stock_and_states_the_fee(stubs, orders, inventory, auth, unique, stocked):
    pb = stubs.orders_pb2
    order = orders.CreateOrder(
        pb.CreateOrderRequest(order=fixed_order(stubs, stocked, 4)), metadata=auth, timeout=RPC_TIMEOUT
    ).order
    assert stock(stubs, inventory, auth, stocked).reserved == 4

    reply = orders.CancelOrder(
        pb.CancelOrderRequest(request_id=f"{unique}-x1", id=order.id, reason="customer asked"),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    assert reply.order.status == pb.ORDER_STATUS_CANCELLED
    assert reply.fee.amount_minor == 0
    assert reply.fee.currency_code == "USD"
    assert reply.fee_rule.startswith("free")
    level = stock(stubs, inventory, auth, stocked)
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)

    with pytest.raises(grpc.RpcError) as again:
        orders.CancelOrder(pb.CancelOrderRequest(id=order.id), metadata=auth, timeout=RPC_TIMEOUT)
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "CANCELLED" in again.value.details()

    history = orders.GetOrderHistory(pb.GetOrderHistoryRequest(id=order.id), metadata=auth, timeout=RPC_TIMEOUT)
    assert [e.action for e in history.entries] == ["created", "cancelled"]


def test_insufficient_stock_is_failed_precondition_naming_the_sku(stubs, orders, inventory, auth, stocked):
    pb = stubs.orders_pb2
    with pytest.raises(grpc.RpcError) as error:
        orders.CreateOrder(pb.CreateOrderRequest(order=fixed_order(stubs, stocked, 11)), metadata=auth, timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert stocked in error.value.details()
    status = status_details(error.value, stubs)
    infos = unpack_details(status, stubs.error_details_pb2.ErrorInfo)
    assert infos and infos[0].reason == "INSUFFICIENT_STOCK"
    assert stock(stubs, inventory, auth, stocked).reserved == 0


def test_get_order_of_an_unknown_id_is_not_found(stubs, orders, auth):
    with pytest.raises(grpc.RpcError) as error:
        orders.GetOrder(stubs.orders_pb2.GetOrderRequest(id="ord_MISSING"), metadata=auth, timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
