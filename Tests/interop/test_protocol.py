"""gRPC protocol behaviour a stock client relies on: routing, decoding, auth, limits, deadlines."""

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT


def raw_call(channel, method, body, metadata=()):
    """Send `body` bytes as-is (identity serializers) and return the raw reply bytes."""
    call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    return call(body, metadata=metadata, timeout=RPC_TIMEOUT)


def rpc_error(fn, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        fn(*args, **kwargs)
    return error.value


def assert_still_serving(stubs, channel, auth):
    """A plain call on `channel` still works after an error."""
    admin = stubs.admin_pb2_grpc.AdminServiceStub(channel)
    reply = admin.Ping(stubs.admin_pb2.PingRequest(payload=b"still serving"), metadata=auth, timeout=RPC_TIMEOUT)
    assert reply.payload == b"still serving"


def test_unknown_method_is_unimplemented(channel, auth):
    error = rpc_error(raw_call, channel, "/oms.v1.CatalogService/NoSuchMethod", b"", auth)
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unknown_service_is_unimplemented(channel, auth):
    error = rpc_error(raw_call, channel, "/oms.v1.NoSuchService/GetProduct", b"", auth)
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def test_body_that_is_not_protobuf_is_invalid_argument(stubs, channel, auth):
    error = rpc_error(raw_call, channel, "/oms.v1.CatalogService/UpsertProduct", b"\xff\xff\xff", auth)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert_still_serving(stubs, channel, auth)


def test_missing_token_is_unauthenticated(stubs, catalog):
    pb = stubs.catalog_pb2
    error = rpc_error(catalog.GetProduct, pb.GetProductRequest(sku="any"), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


def test_wrong_token_is_unauthenticated(stubs, catalog, auth):
    pb = stubs.catalog_pb2
    wrong = (("authorization", "Bearer not-the-admin-token"),)
    error = rpc_error(catalog.GetProduct, pb.GetProductRequest(sku="any"), metadata=wrong, timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


def test_message_over_4_mib_is_resource_exhausted_and_the_server_keeps_serving(
    stubs, channel, catalog, auth, unique, omsd
):
    pb = stubs.catalog_pb2
    huge = pb.UpsertProductRequest(
        product=pb.Product(
            sku=f"{unique}-HUGE",
            name="too big",
            description="x" * (5 * 1024 * 1024),
            unit_price=stubs.common_pb2.Money(currency_code="USD", amount_minor=1),
        )
    )
    error = rpc_error(catalog.UpsertProduct, huge, metadata=auth, timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert_still_serving(stubs, channel, auth)
    # ...and on a new connection too.
    with grpc.insecure_channel(omsd.address) as fresh:
        assert_still_serving(stubs, fresh, auth)


def test_deadline_shorter_than_the_call_is_deadline_exceeded(stubs, admin, auth):
    pb = stubs.admin_pb2
    error = rpc_error(admin.Ping, pb.PingRequest(delay_millis=2000), metadata=auth, timeout=0.05)
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    # The server is not tied up by the abandoned call.
    reply = admin.Ping(pb.PingRequest(payload=b"after"), metadata=auth, timeout=RPC_TIMEOUT)
    assert reply.payload == b"after"
