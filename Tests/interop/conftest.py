"""Interop suite: stock Python grpcio clients, generated from Proto/ at test time,
against the real omsd binary.

Run from the repository root: `make test-interop`, or with the venv active
`pytest Tests/interop -q` (OMSD_BIN=path/to/omsd, default: the debug build).
"""

from __future__ import annotations

import signal
import sys
import uuid
from pathlib import Path

import pytest

try:
    import grpc  # noqa: F401
    import grpc_tools  # noqa: F401
except ImportError as e:  # a readable message instead of a collection error
    pytest.exit(
        f"{e}: the interop suite needs grpcio and grpcio-tools. Run `make test-interop` "
        f"(it creates .build-venv/) or `. .build-venv/bin/activate` first.",
        returncode=4,
    )

sys.path.insert(0, str(Path(__file__).parent))
from omsd_harness import HarnessError, Omsd, find_omsd_binary, generate_stubs  # noqa: E402


def _terminate_like_ctrl_c(signum, frame):
    # `timeout` or CI sends SIGTERM: unwind like Ctrl-C so fixtures stop omsd.
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _terminate_like_ctrl_c)


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    """The Python modules generated from Proto/ (see omsd_harness.generate_stubs)."""
    return generate_stubs(tmp_path_factory.mktemp("stubs"))


@pytest.fixture(scope="session")
def omsd_binary() -> Path:
    try:
        return find_omsd_binary()
    except HarnessError as e:
        message = str(e)
    pytest.fail(message, pytrace=False)


class OmsdFactory:
    """Starts omsd processes for one test and stops every one still running at the end."""

    def __init__(self, binary, stubs, base_dir: Path):
        self.binary = binary
        self.stubs = stubs
        self.base_dir = base_dir
        self.started: list[Omsd] = []

    def start(self, data_dir: Path | None = None, extra_args=(), credentials=None) -> Omsd:
        index = len(self.started)
        data_dir = data_dir or (self.base_dir / f"data{index}")
        server = Omsd(
            self.binary, data_dir, self.base_dir / f"omsd{index}.log", self.stubs, extra_args,
            credentials=credentials)
        self.started.append(server)
        try:
            return server.start()
        except HarnessError as e:
            message = str(e)
        pytest.fail(message, pytrace=False)

    def stop(self, server: Omsd) -> None:
        """Graceful stop that must end with exit code 0."""
        try:
            rc = server.stop()
        except HarnessError as e:
            pytest.fail(str(e), pytrace=False)
        assert rc == 0, f"omsd exited with code {rc} after SIGTERM\n--- omsd output ---\n{server.log_tail()}"

    def stop_all(self) -> None:
        failures = []
        for server in self.started:
            if not server.running:
                continue
            try:
                rc = server.stop()
                if rc != 0:
                    failures.append(f"omsd on {server.address} exited with {rc}\n{server.log_tail()}")
            except HarnessError as e:
                failures.append(str(e))
        if failures:
            pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.fixture(scope="session")
def omsd(omsd_binary, stubs, tmp_path_factory):
    """One omsd shared by the session, on a free port with a temporary data dir."""
    factory = OmsdFactory(omsd_binary, stubs, tmp_path_factory.mktemp("omsd"))
    server = factory.start()
    yield server
    factory.stop(server)


@pytest.fixture
def omsd_factory(omsd_binary, stubs, tmp_path):
    """For tests that need their own omsd (fresh database, restarts)."""
    factory = OmsdFactory(omsd_binary, stubs, tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def channel(omsd):
    with grpc.insecure_channel(omsd.address) as ch:  # h2c with prior knowledge
        yield ch


@pytest.fixture(scope="session")
def auth(omsd):
    return (("authorization", f"Bearer {omsd.token}"),)


@pytest.fixture(scope="session")
def catalog(stubs, channel):
    return stubs.catalog_pb2_grpc.CatalogServiceStub(channel)


@pytest.fixture(scope="session")
def admin(stubs, channel):
    return stubs.admin_pb2_grpc.AdminServiceStub(channel)


@pytest.fixture(scope="session")
def health(stubs, channel):
    return stubs.health_pb2_grpc.HealthStub(channel)


@pytest.fixture
def unique():
    """A short prefix unique to the test, for SKUs and request ids on the shared omsd."""
    return f"t{uuid.uuid4().hex[:10]}"
