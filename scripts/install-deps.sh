#!/usr/bin/env bash
# Installs the Debian packages omsd needs, only those that are missing.
#
#   scripts/install-deps.sh [build|test|bench|all]    (default: all)
#
#   build  C libraries and code generators: enough for `swift build` and `make run`
#   test   build + what the test suites use (python3-venv, h2load/nghttp, tmux, script)
#   bench  build + nghttpd/h2load for `make bench`
#
# Idempotent and quick when nothing is missing: `apt-get update` runs only when
# a package has to be installed. Uses sudo when not run as root.
set -euo pipefail

build_packages=(
  librocksdb-dev        # Storage (CRocksDB)
  libnghttp2-dev        # Nghttp2 (CNghttp2)
  libprotobuf-c-dev     # OMSProto (CProtobufC)
  protobuf-c-compiler   # protoc-c, for `make proto`
  protobuf-compiler     # protoc, for `make proto`
  libprotobuf-dev       # google/protobuf/*.proto (any.proto, descriptor.proto)
  pkg-config            # SwiftPM finds the C libraries through it
)
test_packages=(
  python3-venv          # the interop suite's venv (.build-venv/)
  nghttp2-client        # h2load and nghttp
  nghttp2-server        # nghttpd
  tmux                  # terminal tests of omsctl
  bsdutils              # script(1), a pty for CLI tests
)
bench_packages=(
  nghttp2-client        # h2load
  nghttp2-server        # nghttpd, the benchmark's ceiling
)

group=${1:-all}
case "$group" in
  build) wanted=("${build_packages[@]}") ;;
  test)  wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  bench) wanted=("${build_packages[@]}" "${bench_packages[@]}") ;;
  all)   wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  -h|--help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  *)
    echo "install-deps.sh: unknown group '$group' (expected build, test, bench or all)" >&2
    exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: this script needs Debian/Ubuntu (dpkg and apt-get); install these yourself:" >&2
  echo "  ${wanted[*]}" >&2
  exit 1
fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    case " ${missing[*]-} " in
      *" $package "*) ;;  # listed twice in the group
      *) missing+=("$package") ;;
    esac
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: nothing to install ($group packages are present)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps.sh: missing packages (${missing[*]}), and not root without sudo to install them" >&2
  exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
