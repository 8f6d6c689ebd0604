"""Shared by the interop suite (conftest.py) and `make bench` (Tools/bench/bench.py).

- `generate_stubs`: compiles Proto/ with grpc_tools.protoc into a directory and
  imports the result, so every test runs against the protos as they are now.
- `Omsd`: starts the real `omsd` binary on a free loopback port with its own
  data directory, waits until grpc.health.v1 answers SERVING, stops it with
  SIGTERM (SIGKILL only as a fallback) and reports the exit code.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "Proto"

READY_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
# Every test RPC has a deadline, so a stuck server fails one test instead of hanging the run.
RPC_TIMEOUT = 10.0


class HarnessError(RuntimeError):
    """A readable failure of the harness itself (binary missing, omsd not ready...)."""


# ---------------------------------------------------------------------------
# Stubs


def _proto_include_dirs() -> list[Path]:
    """Where google/protobuf/any.proto (imported by google/rpc/status.proto) lives."""
    dirs = []
    try:
        import grpc_tools

        dirs.append(Path(grpc_tools.__file__).parent / "_proto")
    except ImportError:  # pragma: no cover - grpc_tools is required to compile anyway
        pass
    dirs.append(Path("/usr/include"))  # libprotobuf-dev
    return [d for d in dirs if (d / "google" / "protobuf" / "any.proto").is_file()]


def generate_stubs(out_dir: Path, proto_root: Path = PROTO_ROOT) -> types.SimpleNamespace:
    """Compile every .proto under proto_root into out_dir and import the modules.

    Returns a namespace with one attribute per generated module, named after
    the file: `stubs.catalog_pb2`, `stubs.catalog_pb2_grpc`, `stubs.health_pb2`,
    `stubs.status_pb2`, `stubs.error_details_pb2`, ... (the full dotted path
    with `_` for names that occur twice, like the two reflection_pb2).
    Modules of Proto/grpc/** live in the package `grpc_protos_generated`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    protos = sorted(
        str(p.relative_to(proto_root))
        for p in proto_root.rglob("*.proto")
        # Well-known types come with the protobuf runtime, and the reflection
        # protos with grpcio-reflection (the client the tests use); compiling
        # a second copy would register the same descriptors twice.
        if not p.relative_to(proto_root).as_posix().startswith(("google/protobuf/", "grpc/reflection/"))
    )
    if not protos:
        raise HarnessError(f"no .proto files under {proto_root}")
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}"]
    cmd += [f"-I{d}" for d in _proto_include_dirs()]
    cmd += [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", *protos]
    result = subprocess.run(cmd, cwd=proto_root, capture_output=True, text=True)
    if result.returncode != 0:
        raise HarnessError(
            "grpc_tools.protoc failed (exit %d):\n  %s\n%s%s"
            % (result.returncode, " ".join(cmd), result.stdout, result.stderr)
        )
    _move_out_of_grpc_package(out_dir)
    return _import_stubs(out_dir)


GRPC_PROTOS_PACKAGE = "grpc_protos_generated"


def _move_out_of_grpc_package(out_dir: Path) -> None:
    """Proto/grpc/health/v1/health.proto compiles to the Python module
    grpc.health.v1.health_pb2, but the package `grpc` is grpcio's, which even
    aliases grpc.health and grpc.reflection to grpcio-health-checking and
    grpcio-reflection when those are installed. So the output moves to its own
    package and the imports between generated files follow it; the proto file
    names (and so the descriptors) stay as they are."""
    generated = out_dir / "grpc"
    if not generated.is_dir():
        return
    target = out_dir / GRPC_PROTOS_PACKAGE
    generated.rename(target)
    subpackages = "|".join(re.escape(p.name) for p in target.iterdir() if p.is_dir())
    pattern = re.compile(rf"^(from|import) grpc\.({subpackages})\b", re.MULTILINE)
    for path in out_dir.rglob("*_pb2*.py"):
        text = path.read_text()
        fixed = pattern.sub(rf"\1 {GRPC_PROTOS_PACKAGE}.\2", text)
        if fixed != text:
            path.write_text(fixed)


def _import_stubs(out_dir: Path) -> types.SimpleNamespace:
    if str(out_dir) not in sys.path:
        sys.path.insert(0, str(out_dir))
    importlib.invalidate_caches()

    paths = sorted(out_dir.rglob("*_pb2*.py"))
    stems = [p.stem for p in paths]
    stubs = types.SimpleNamespace()
    for path in paths:
        parts = path.relative_to(out_dir).with_suffix("").parts
        module = importlib.import_module(".".join(parts))
        # Short name (`catalog_pb2`) when it is unique, else the full one
        # (`grpc_protos_generated_reflection_v1alpha_reflection_pb2`).
        attr = path.stem if stems.count(path.stem) == 1 else "_".join(parts)
        setattr(stubs, attr, module)
    return stubs


def status_details(error, stubs):
    """The google.rpc.Status carried in an RpcError's `grpc-status-details-bin` trailer, or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = stubs.status_pb2.Status()
            status.ParseFromString(value)  # grpcio already base64-decoded the -bin value
            return status
    return None


def unpack_details(status, message_type):
    """Every detail of `message_type` (e.g. BadRequest) in a google.rpc.Status."""
    found = []
    for any_message in status.details:
        if any_message.Is(message_type.DESCRIPTOR):
            message = message_type()
            any_message.Unpack(message)
            found.append(message)
    return found


# ---------------------------------------------------------------------------
# omsd process


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the OS picks it; omsd binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_omsd_binary(configuration: str = "debug", scratch_path: str | None = None) -> Path:
    """$OMSD_BIN, else `swift build --show-bin-path`/omsd for the configuration."""
    env_bin = os.environ.get("OMSD_BIN")
    if env_bin:
        path = Path(env_bin)
    else:
        if shutil.which("swift") is None:
            raise HarnessError("OMSD_BIN is not set and `swift` is not on PATH to find the omsd binary")
        cmd = ["swift", "build", "-c", configuration, "--show-bin-path"]
        if scratch_path:
            cmd += ["--scratch-path", scratch_path]
        result = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(f"`{' '.join(cmd)}` failed:\n{result.stderr}")
        path = Path(result.stdout.strip()) / "omsd"
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise HarnessError(
            f"omsd binary not found at {path}: build it first (`swift build --product omsd`, "
            f"or `make build`) or point OMSD_BIN at it"
        )
    return path


class Omsd:
    """One omsd process: `omsd serve --listen 127.0.0.1:PORT --data-dir DIR`."""

    def __init__(self, binary: Path, data_dir: Path, log_path: Path, stubs, extra_args=(), host="127.0.0.1",
                 launcher=(), credentials=None):
        self.binary = Path(binary)
        self.launcher = list(launcher)  # e.g. ["taskset", "-c", "1"] for the benchmark
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.stubs = stubs
        self.extra_args = list(extra_args)
        # grpc.ChannelCredentials for an omsd serving TLS; None for cleartext.
        self.credentials = credentials
        self.host = host
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.returncode: int | None = None

    # -- properties ---------------------------------------------------------

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def token_path(self) -> Path:
        return self.data_dir / "admin.token"

    @property
    def token(self) -> str:
        return self.token_path.read_text().strip()

    def open_channel(self):
        """A grpcio channel to this omsd (TLS when it was started with credentials)."""
        import grpc

        if self.credentials is None:
            return grpc.insecure_channel(self.address)
        return grpc.secure_channel(self.address, self.credentials)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        tail = self.log_text().splitlines()[-lines:]
        return "\n".join(tail) if tail else "(no output)"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- lifecycle ----------------------------------------------------------

    def start(self, timeout: float = READY_TIMEOUT_SECONDS, attempts: int = 3) -> "Omsd":
        """Start omsd and wait for Health/Check SERVING. Retries on a port clash."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            self.port = free_port(self.host)
            self._spawn()
            try:
                self.wait_ready(timeout)
                return self
            except HarnessError:
                clash = "in use" in self.log_text().lower()
                if self.running:
                    self.kill()
                if clash and attempt + 1 < attempts:
                    continue
                raise
        raise AssertionError("unreachable")

    def _spawn(self) -> None:
        cmd = [
            *self.launcher,
            str(self.binary), "serve",
            "--listen", self.address,
            "--data-dir", str(self.data_dir),
            *self.extra_args,
        ]
        self.returncode = None
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(cmd)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        import grpc

        pb = self.stubs.health_pb2
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        with self.open_channel() as channel:
            stub = self.stubs.health_pb2_grpc.HealthStub(channel)
            while True:
                rc = self.process.poll()
                if rc is not None:
                    self.returncode = rc
                    raise HarnessError(
                        f"omsd exited with code {rc} before it was ready ({self.binary})\n"
                        f"--- omsd output ({self.log_path}) ---\n{self.log_tail()}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HarnessError(
                        f"omsd did not answer Health/Check SERVING on {self.address} within "
                        f"{timeout:.0f} s (last: {last_error})\n"
                        f"--- omsd output ({self.log_path}) ---\n{self.log_tail()}"
                    )
                try:
                    reply = stub.Check(pb.HealthCheckRequest(service=""), timeout=min(1.0, remaining))
                    if reply.status == pb.HealthCheckResponse.SERVING:
                        return
                    last_error = f"status {pb.HealthCheckResponse.ServingStatus.Name(reply.status)}"
                except grpc.RpcError as e:
                    last_error = f"{e.code().name}: {e.details()}"
                time.sleep(0.1)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """SIGTERM, wait; SIGKILL if it does not exit in time (then raise). Returns the exit code."""
        if self.process is None:
            raise HarnessError("omsd was never started")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise HarnessError(
                    f"omsd did not exit within {timeout:.0f} s of SIGTERM and was killed\n"
                    f"--- omsd output ({self.log_path}) ---\n{self.log_tail()}"
                )
        self.returncode = self.process.returncode
        return self.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None:
            self.returncode = self.process.returncode


def main(argv: list[str]) -> int:
    """`python Tests/interop/omsd_harness.py stubs OUT_DIR`: generate and import the stubs only."""
    if len(argv) != 3 or argv[1] != "stubs":
        print(f"usage: {argv[0]} stubs OUT_DIR", file=sys.stderr)
        return 2
    stubs = generate_stubs(Path(argv[2]))
    for name in sorted(vars(stubs)):
        print(f"{name}: {vars(stubs)[name].__name__}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
