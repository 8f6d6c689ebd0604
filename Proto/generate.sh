#!/usr/bin/env bash
# Regenerates the code derived from Proto/ (run from anywhere; `make proto`):
#
#   Sources/CProtos/            protoc-c output: <path>.pb-c.c, include/<path>.pb-c.h, plus
#                               include/CProtos.h (umbrella header + descriptor accessors)
#                               and include/module.modulemap
#   Sources/OMSProto/Generated/ Swift types (one <path>.pb.swift per .proto file) and
#                               ProtoDescriptors.swift (the FileDescriptorSet, for reflection)
#
# `Proto/generate.sh --check` regenerates into a temporary directory and diffs
# it against the committed files instead: exit 1 with the diff when they
# differ (CI runs this through the OMSProtoTests drift test).
#
# Output is byte-for-byte reproducible: inputs are sorted, generators are
# deterministic, and nothing records times or absolute paths.
#
# Needs protoc, protoc-c (Debian protobuf-compiler, protobuf-c-compiler),
# libprotobuf-dev (for google/protobuf/any.proto) and swiftc. The Swift
# generator (Tools/protogen, pure Swift) is compiled with swiftc into
# .build-protogen/ and reused while its sources are unchanged.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=write
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    -h | --help)
        sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: Proto/generate.sh [--check]" >&2
        exit 2
        ;;
esac

for tool in protoc protoc-c swiftc; do
    if ! command -v "$tool" >/dev/null; then
        echo "generate.sh: $tool not found (apt-get install protobuf-compiler protobuf-c-compiler libprotobuf-dev)" >&2
        exit 1
    fi
done
system_include=/usr/include
if [[ ! -f $system_include/google/protobuf/any.proto ]]; then
    echo "generate.sh: $system_include/google/protobuf/any.proto not found (apt-get install libprotobuf-dev)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/oms-proto.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Every .proto under Proto/, as import paths, in a locale-independent order.
protos=()
while IFS= read -r proto; do protos+=("$proto"); done < <(
    cd Proto && find . -name '*.proto' -type f | sed 's|^\./||' | LC_ALL=C sort
)
if [[ ${#protos[@]} -eq 0 ]]; then
    echo "generate.sh: no .proto files under Proto/" >&2
    exit 1
fi
# google/rpc/status.proto imports it; protoc-c must compile it too.
c_inputs=("${protos[@]}" google/protobuf/any.proto)

# --- protoc-c: C structs and descriptors -------------------------------------
c_out="$work/c"
mkdir -p "$c_out/raw"
protoc-c -IProto -I"$system_include" --c_out="$c_out/raw" "${c_inputs[@]}"
# Sources/CProtos is a SwiftPM C target: headers under include/ (its header
# search path, so the generated `#include "oms/v1/x.pb-c.h"` lines resolve
# unchanged), sources beside it.
mkdir -p "$c_out/CProtos/include"
(
    cd "$c_out/raw"
    find . -name '*.pb-c.h' -type f | LC_ALL=C sort | while read -r header; do
        mkdir -p "$c_out/CProtos/include/$(dirname "$header")"
        cp "$header" "$c_out/CProtos/include/$header"
    done
    find . -name '*.pb-c.c' -type f | LC_ALL=C sort | while read -r source; do
        mkdir -p "$c_out/CProtos/$(dirname "$source")"
        cp "$source" "$c_out/CProtos/$source"
    done
)

# --- oms-protogen: Swift types, descriptor set, umbrella header ----------------
protogen_dir=.build-protogen
protogen="$protogen_dir/oms-protogen"
protogen_sources=(Tools/protogen/*.swift)
if command -v sha256sum >/dev/null; then hash=(sha256sum); else hash=(shasum -a 256); fi
protogen_key="$( (swiftc --version 2>&1; cat "${protogen_sources[@]}") | "${hash[@]}" | cut -d' ' -f1)"
if [[ ! -x $protogen || "$(cat "$protogen.key" 2>/dev/null)" != "$protogen_key" ]]; then
    echo "generate.sh: compiling Tools/protogen" >&2
    mkdir -p "$protogen_dir"
    # Build beside the final path and rename, so concurrent runs never see half a binary.
    swiftc -swift-version 6 -O -module-name oms_protogen "${protogen_sources[@]}" -o "$protogen.$$"
    mv -f "$protogen.$$" "$protogen"
    echo "$protogen_key" >"$protogen.key.$$"
    mv -f "$protogen.key.$$" "$protogen.key"
fi

protoc --include_imports --include_source_info --descriptor_set_out="$work/descriptors.pb" \
    -IProto -I"$system_include" "${protos[@]}"
"$protogen" "$work/descriptors.pb" "$work/swift" --c-umbrella-header "$c_out/CProtos/include/CProtos.h"
# An explicit module map: SwiftPM's generated one refuses an umbrella header
# with directories beside it, and the protoc-c headers keep their import paths.
cat >"$c_out/CProtos/include/module.modulemap" <<'MODULEMAP'
// DO NOT EDIT. Written by Proto/generate.sh.
module CProtos {
    umbrella header "CProtos.h"
    export *
}
MODULEMAP

# --- write or compare ---------------------------------------------------------
if [[ $mode == check ]]; then
    list_files() { (cd "$1" 2>/dev/null && find . -type f | LC_ALL=C sort); }
    status=0
    # File lists first (catches stray or missing files, even empty ones), then contents.
    diff -u --label committed --label expected <(list_files Sources/CProtos) <(list_files "$c_out/CProtos") \
        >"$work/files.diff" || status=1
    diff -u --label committed --label expected <(list_files Sources/OMSProto/Generated) <(list_files "$work/swift") \
        >>"$work/files.diff" || status=1
    diff -ruN Sources/CProtos "$c_out/CProtos" >"$work/c.diff" || status=1
    diff -ruN Sources/OMSProto/Generated "$work/swift" >"$work/swift.diff" || status=1
    if [[ $status -ne 0 ]]; then
        echo "generate.sh --check: generated code is out of date with Proto/ or the generators." >&2
        echo "Run Proto/generate.sh (make proto) and commit the result. Differences (committed → expected):" >&2
        cat "$work/files.diff" "$work/c.diff" "$work/swift.diff" >&2
        exit 1
    fi
    echo "generate.sh --check: generated code is up to date (${#protos[@]} proto files)"
    exit 0
fi

# Replace whole directories so files of deleted protos do not linger.
rm -rf Sources/CProtos Sources/OMSProto/Generated
cp -R "$c_out/CProtos" Sources/CProtos
cp -R "$work/swift" Sources/OMSProto/Generated
echo "generate.sh: wrote Sources/CProtos and Sources/OMSProto/Generated from ${#protos[@]} proto files"
