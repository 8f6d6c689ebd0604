"""AdminService.Ping: echo, and many concurrent calls multiplexed on one HTTP/2 connection."""

import grpc

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
