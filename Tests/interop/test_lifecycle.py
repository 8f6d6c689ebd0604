"""What the daemon promises around start-up, restarts and its admin token."""

import stat

import grpc

from omsd_harness import RPC_TIMEOUT


def test_start_up_logs_the_address_and_writes_a_private_token(omsd):
    log = omsd.log_text()
    assert f"serving on {omsd.address}" in log, log
    assert "admin.token" in log, "omsd should log where the admin token is"
    mode = stat.S_IMODE(omsd.token_path.stat().st_mode)
    assert mode == 0o600, f"{omsd.token_path} has mode {oct(mode)}"
    assert omsd.token, "the token file is empty"


def test_restart_keeps_data_and_token(stubs, omsd_factory, tmp_path):
    pb = stubs.catalog_pb2
    data_dir = tmp_path / "data"
    want = pb.Product(
        sku="RESTART-1",
        name="Survives restarts",
        unit_price=stubs.common_pb2.Money(currency_code="JPY", amount_minor=5000),
    )

    first = omsd_factory.start(data_dir)
    token_before = first.token_path.read_bytes()
    auth = (("authorization", f"Bearer {first.token}"),)
    with grpc.insecure_channel(first.address) as channel:
        catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
        catalog.UpsertProduct(pb.UpsertProductRequest(product=want), metadata=auth, timeout=RPC_TIMEOUT)
    omsd_factory.stop(first)  # asserts exit code 0

    second = omsd_factory.start(data_dir)
    assert second.token_path.read_bytes() == token_before, "the admin token changed across a restart"
    with grpc.insecure_channel(second.address) as channel:
        catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
        got = catalog.GetProduct(pb.GetProductRequest(sku=want.sku), metadata=auth, timeout=RPC_TIMEOUT)
    assert got.product.sku == want.sku
    assert got.product.name == want.name
    assert got.product.unit_price == want.unit_price


def test_a_lost_token_file_is_replaced_by_a_new_admin_key(stubs, omsd_factory, tmp_path):
    """Deleting admin.token and restarting mints admin-2; the old key stays valid until revoked."""
    pb = stubs.admin_pb2
    data_dir = tmp_path / "data"
    first = omsd_factory.start(data_dir)
    old_token = first.token
    old_auth = (("authorization", f"Bearer {old_token}"),)
    omsd_factory.stop(first)
    first.token_path.unlink()

    second = omsd_factory.start(data_dir)
    new_auth = (("authorization", f"Bearer {second.token}"),)
    assert second.token != old_token
    with grpc.insecure_channel(second.address) as channel:
        admin = stubs.admin_pb2_grpc.AdminServiceStub(channel)
        keys = admin.ListApiKeys(pb.ListApiKeysRequest(), metadata=new_auth, timeout=RPC_TIMEOUT).keys
        assert [(k.name, k.role, k.revoked_at_millis) for k in keys] == [
            ("admin", pb.API_KEY_ROLE_ADMIN, 0),
            ("admin-2", pb.API_KEY_ROLE_ADMIN, 0),
        ]
        admin.Ping(pb.PingRequest(), metadata=old_auth, timeout=RPC_TIMEOUT)
        admin.RevokeApiKey(pb.RevokeApiKeyRequest(name="admin"), metadata=new_auth, timeout=RPC_TIMEOUT)
        try:
            admin.Ping(pb.PingRequest(), metadata=old_auth, timeout=RPC_TIMEOUT)
            raise AssertionError("the revoked admin key still works")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.UNAUTHENTICATED
