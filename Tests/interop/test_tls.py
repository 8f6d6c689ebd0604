"""omsd serving TLS (--tls-cert-file/--tls-key-file) to a stock grpcio client with ssl_channel_credentials."""

from pathlib import Path

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT

FIXTURES = Path(__file__).resolve().parent.parent / "tls"


def credentials(ca: str = "ca.pem"):
    return grpc.ssl_channel_credentials(root_certificates=(FIXTURES / ca).read_bytes())


@pytest.fixture
def tls_omsd(omsd_factory):
    return omsd_factory.start(
        extra_args=["--tls-cert-file", str(FIXTURES / "server.pem"), "--tls-key-file", str(FIXTURES / "server.key")],
        credentials=credentials(),
    )


def test_grpcio_calls_over_tls(stubs, tls_omsd):
    pb = stubs.catalog_pb2
    auth = (("authorization", f"Bearer {tls_omsd.token}"),)
    assert "(TLS)" in tls_omsd.log_text()
    with tls_omsd.open_channel() as channel:
        health = stubs.health_pb2_grpc.HealthStub(channel)
        reply = health.Check(stubs.health_pb2.HealthCheckRequest(), timeout=RPC_TIMEOUT)
        assert reply.status == stubs.health_pb2.HealthCheckResponse.SERVING
        catalog = stubs.catalog_pb2_grpc.CatalogServiceStub(channel)
        product = pb.Product(sku="TLS-PY-1", name="Over TLS")
        product.unit_price.currency_code = "EUR"
        product.unit_price.amount_minor = 4200
        catalog.UpsertProduct(pb.UpsertProductRequest(product=product), metadata=auth, timeout=RPC_TIMEOUT)
        got = catalog.GetProduct(pb.GetProductRequest(sku="TLS-PY-1"), metadata=auth, timeout=RPC_TIMEOUT)
        assert got.product.name == "Over TLS"


def test_untrusted_ca_and_cleartext_clients_are_refused(stubs, tls_omsd):
    request = stubs.health_pb2.HealthCheckRequest()
    with grpc.secure_channel(tls_omsd.address, credentials("other-ca.pem")) as channel:
        with pytest.raises(grpc.RpcError) as untrusted:
            stubs.health_pb2_grpc.HealthStub(channel).Check(request, timeout=RPC_TIMEOUT)
        assert untrusted.value.code() == grpc.StatusCode.UNAVAILABLE
    with grpc.insecure_channel(tls_omsd.address) as channel:
        with pytest.raises(grpc.RpcError) as cleartext:
            stubs.health_pb2_grpc.HealthStub(channel).Check(request, timeout=RPC_TIMEOUT)
        assert cleartext.value.code() == grpc.StatusCode.UNAVAILABLE
    # The server shrugs both off and keeps serving TLS.
    with tls_omsd.open_channel() as channel:
        reply = stubs.health_pb2_grpc.HealthStub(channel).Check(request, timeout=RPC_TIMEOUT)
        assert reply.status == stubs.health_pb2.HealthCheckResponse.SERVING


def test_omsd_refuses_to_start_with_half_the_tls_flags(omsd_binary, tmp_path):
    import subprocess

    result = subprocess.run(
        [str(omsd_binary), "serve", "--data-dir", str(tmp_path / "d"), "--tls-cert-file", str(FIXTURES / "server.pem")],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode != 0
    assert "--tls-key-file" in result.stderr
