"""CatalogService through a stock client: round trips, paging, idempotency, rich errors."""

import random

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT, status_details, unpack_details


def product(stubs, sku, name="Widget", currency="USD", amount=1250, **extra):
    return stubs.catalog_pb2.Product(
        sku=sku,
        name=name,
        unit_price=stubs.common_pb2.Money(currency_code=currency, amount_minor=amount),
        **extra,
    )


def assert_same_product_fields(got, want):
    assert got.sku == want.sku
    assert got.name == want.name
    assert got.unit_price.currency_code == want.unit_price.currency_code
    assert got.unit_price.amount_minor == want.unit_price.amount_minor


def test_upsert_then_get_returns_the_product(stubs, catalog, auth, unique):
    pb = stubs.catalog_pb2
    want = product(stubs, f"{unique}-A1", name="Blue mug 350 ml", currency="EUR", amount=899)

    upserted = catalog.UpsertProduct(pb.UpsertProductRequest(product=want), metadata=auth, timeout=RPC_TIMEOUT)
    assert upserted.created is True
    assert_same_product_fields(upserted.product, want)
    assert upserted.product.version > 0

    got = catalog.GetProduct(pb.GetProductRequest(sku=want.sku), metadata=auth, timeout=RPC_TIMEOUT)
    assert_same_product_fields(got.product, want)


def test_list_products_pages_in_sku_order(stubs, omsd_factory):
    # A fresh omsd, so exactly these 25 products exist.
    server = omsd_factory.start()
    auth = (("authorization", f"Bearer {server.token}"),)
    pb = stubs.catalog_pb2
    skus = [f"P-{i:03d}" for i in range(25)]
    with grpc.insecure_channel(server.address) as channel:
        catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
        for sku in random.Random(7).sample(skus, len(skus)):  # insertion order ≠ sku order
            catalog.UpsertProduct(
                pb.UpsertProductRequest(product=product(stubs, sku, name=f"Product {sku}")),
                metadata=auth,
                timeout=RPC_TIMEOUT,
            )

        pages, token = [], ""
        for _ in range(10):  # bounded: a server that never ends the listing fails below
            reply = catalog.ListProducts(
                pb.ListProductsRequest(page_size=10, page_token=token), metadata=auth, timeout=RPC_TIMEOUT
            )
            pages.append([p.sku for p in reply.products])
            token = reply.next_page_token
            if not token:
                break

    assert [len(p) for p in pages] == [10, 10, 5], pages
    listed = [sku for page in pages for sku in page]
    assert len(listed) == len(set(listed)), "a product was listed twice"
    assert listed == sorted(skus)


def test_same_request_id_and_request_returns_the_original_response(stubs, catalog, auth, unique):
    pb = stubs.catalog_pb2
    request = pb.UpsertProductRequest(request_id=f"{unique}-req", product=product(stubs, f"{unique}-IDEM"))

    first = catalog.UpsertProduct(request, metadata=auth, timeout=RPC_TIMEOUT)
    retry = catalog.UpsertProduct(request, metadata=auth, timeout=RPC_TIMEOUT)
    assert retry == first

    different = pb.UpsertProductRequest()
    different.CopyFrom(request)
    different.product.name = "Another name"
    with pytest.raises(grpc.RpcError) as error:
        catalog.UpsertProduct(different, metadata=auth, timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_empty_sku_is_invalid_argument_naming_the_field(stubs, catalog, auth):
    pb = stubs.catalog_pb2
    with pytest.raises(grpc.RpcError) as error:
        catalog.UpsertProduct(pb.UpsertProductRequest(product=product(stubs, "")), metadata=auth, timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    status = status_details(error.value, stubs)
    assert status is not None, "no grpc-status-details-bin trailer"
    # grpcio-status's rpc_status.from_call() rejects a Status whose code or
    # message differ from grpc-status / grpc-message.
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert status.message == error.value.details()
    bad_requests = unpack_details(status, stubs.error_details_pb2.BadRequest)
    assert bad_requests, f"no google.rpc.BadRequest in details: {[d.type_url for d in status.details]}"
    assert bad_requests[0].field_violations[0].field == "product.sku"


def test_get_of_a_missing_sku_is_not_found_with_status_details(stubs, catalog, auth, unique):
    pb = stubs.catalog_pb2
    with pytest.raises(grpc.RpcError) as error:
        catalog.GetProduct(pb.GetProductRequest(sku=f"{unique}-MISSING"), metadata=auth, timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND

    status = status_details(error.value, stubs)
    assert status is not None, "no grpc-status-details-bin trailer"
    assert status.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert status.message == error.value.details()
