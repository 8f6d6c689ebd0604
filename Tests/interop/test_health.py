"""grpc.health.v1.Health, as any load balancer or grpc_health_probe would call it (no token)."""

import grpc
import pytest

from omsd_harness import RPC_TIMEOUT


@pytest.mark.parametrize("service", ["", "oms.v1.CatalogService"])
def test_check_reports_serving_without_a_token(stubs, health, service):
    pb = stubs.health_pb2
    reply = health.Check(pb.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT)
    assert reply.status == pb.HealthCheckResponse.SERVING


def test_check_of_an_unknown_service_is_not_found(stubs, health):
    # The health protocol's rule: Check for a service the server does not know → NOT_FOUND.
    pb = stubs.health_pb2
    with pytest.raises(grpc.RpcError) as error:
        health.Check(pb.HealthCheckRequest(service="no.such.Service"), timeout=RPC_TIMEOUT)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
