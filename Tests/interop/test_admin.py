"""AdminService: Ping (echo, many concurrent calls on one HTTP/2 connection) and API keys."""

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT


def test_ping_echoes_the_payload(stubs, admin, auth):
    pb = stubs.admin_pb2
    payload = bytes(range(256)) * 4
    reply = admin.Ping(pb.PingRequest(delay_millis=0, payload=payload), metadata=auth, timeout=RPC_TIMEOUT)
    assert reply.payload == payload
    assert reply.server_time_millis > 0


def test_200_concurrent_calls_on_one_channel_all_succeed(stubs, admin, auth):
    pb = stubs.admin_pb2
    # A small delay keeps the calls in flight together (more than the usual
    # 100 concurrent streams, so the client also queues behind SETTINGS).
    futures = [
        admin.Ping.future(
            pb.PingRequest(delay_millis=20, payload=f"call-{i}".encode()), metadata=auth, timeout=30
        )
        for i in range(200)
    ]
    failures = []
    for i, future in enumerate(futures):
        try:
            reply = future.result()
        except grpc.RpcError as e:
            failures.append(f"call {i}: {e.code().name} {e.details()}")
            continue
        if reply.payload != f"call-{i}".encode():
            failures.append(f"call {i}: got payload {reply.payload!r}")
    assert not failures, f"{len(failures)} of 200 calls failed:\n" + "\n".join(failures[:20])


def test_api_keys_service_role_and_revocation(stubs, admin, catalog, channel, auth, unique):
    """A key per integration: it works for business calls, not for AdminService, and stops at revocation."""
    pb = stubs.admin_pb2
    cpb = stubs.catalog_pb2
    name = f"erp-{unique}"
    created = admin.CreateApiKey(pb.CreateApiKeyRequest(name=name), metadata=auth, timeout=RPC_TIMEOUT)
    assert created.key.name == name
    assert created.key.role == pb.API_KEY_ROLE_SERVICE
    assert created.token.startswith(created.key.token_prefix)
    erp = (("authorization", f"Bearer {created.token}"),)

    product = cpb.Product(sku=f"KEY-{unique}", name="Keyed")
    product.unit_price.currency_code = "EUR"
    product.unit_price.amount_minor = 100
    stored = catalog.UpsertProduct(cpb.UpsertProductRequest(product=product), metadata=erp, timeout=RPC_TIMEOUT)
    assert stored.product.version == 1

    with pytest.raises(grpc.RpcError) as denied:
        admin.ListApiKeys(pb.ListApiKeysRequest(), metadata=erp, timeout=RPC_TIMEOUT)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED

    listed = admin.ListApiKeys(pb.ListApiKeysRequest(), metadata=auth, timeout=RPC_TIMEOUT)
    assert name in [key.name for key in listed.keys]
    assert all(not key.token_prefix or len(key.token_prefix) == 8 for key in listed.keys)

    revoked = admin.RevokeApiKey(pb.RevokeApiKeyRequest(name=name), metadata=auth, timeout=RPC_TIMEOUT)
    assert revoked.key.revoked_at_millis > 0
    with pytest.raises(grpc.RpcError) as refused:
        catalog.GetProduct(cpb.GetProductRequest(sku=product.sku), metadata=erp, timeout=RPC_TIMEOUT)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

    with pytest.raises(grpc.RpcError) as duplicate:
        admin.CreateApiKey(pb.CreateApiKeyRequest(name=name), metadata=auth, timeout=RPC_TIMEOUT)
    assert duplicate.value.code() == grpc.StatusCode.ALREADY_EXISTS
