"""What the daemon promises around start-up, restarts and its admin token."""

import stat

import grpc

from omsd_harness import RPC_TIMEOUT, status_details, unpack_details


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


def test_an_open_watch_ends_unavailable_when_omsd_stops(stubs, omsd_factory, tmp_path):
    """Shutdown is not the end of the feed: WatchEvents ends with UNAVAILABLE (reason
    SHUTTING_DOWN, naming the sequence to resume after), never with OK."""
    import threading

    server = omsd_factory.start(tmp_path / "data")
    auth = (("authorization", f"Bearer {server.token}"),)
    channel = grpc.insecure_channel(server.address)
    catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
    catalog.UpsertProduct(
        stubs.catalog_pb2.UpsertProductRequest(product=stubs.catalog_pb2.Product(
            sku="WATCH-1", name="Watched", unit_price=stubs.common_pb2.Money(currency_code="USD", amount_minor=1))),
        metadata=auth, timeout=RPC_TIMEOUT)
    watch = stubs.events_pb2_grpc.EventServiceStub(channel).WatchEvents(
        stubs.events_pb2.WatchEventsRequest(after_sequence=0), metadata=auth, timeout=60)
    received, outcome = [], {}
    caught_up = threading.Event()

    def read():
        try:
            for event in watch:
                received.append(event.sequence)
                caught_up.set()
            outcome["code"] = grpc.StatusCode.OK
        except grpc.RpcError as error:
            outcome["code"], outcome["error"] = error.code(), error

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert caught_up.wait(RPC_TIMEOUT), "the watch delivered no event"
    omsd_factory.stop(server)  # SIGTERM; asserts exit code 0
    reader.join(RPC_TIMEOUT)
    channel.close()
    assert not reader.is_alive(), "the watch did not end when omsd stopped"
    assert received == [1]
    assert outcome["code"] == grpc.StatusCode.UNAVAILABLE, outcome
    assert "resume after sequence 1" in outcome["error"].details()
    status = status_details(outcome["error"], stubs)
    assert status is not None, "no grpc-status-details-bin trailer"
    infos = unpack_details(status, stubs.error_details_pb2.ErrorInfo)
    assert [(i.reason, dict(i.metadata)) for i in infos] == [("SHUTTING_DOWN", {"last_sequence": "1"})]
