#!/usr/bin/env bash
# Builds build/native/cpu-kernels.node: the wasm backend's training kernels on OpenBLAS (src/backends/native-kernels.ts).
# Optional: without a C++ compiler or OpenBLAS's headers (Debian: apt-get install g++ libopenblas-dev) it says so and
# exits 0, and training runs on wasm alone. --required makes a missing prerequisite an error (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
required=false
[[ "${1:-}" == "--required" ]] && required=true
skip() {
  echo "native kernels not built: $1; training runs on wasm alone (apt-get install g++ libopenblas-dev, then npm run build:native)" >&2
  if $required; then exit 1; fi
  exit 0
}
CXX="${CXX:-g++}"
command -v "$CXX" >/dev/null || skip "no C++ compiler ($CXX)"
NODE_INCLUDE="$(node -p 'require("path").resolve(process.execPath, "../../include/node")')"
[[ -f "$NODE_INCLUDE/node_api.h" ]] || skip "Node's headers are not at $NODE_INCLUDE"
OPENBLAS_LIB=""
for dir in /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/aarch64-linux-gnu/openblas-pthread /usr/lib64 /usr/lib /usr/local/lib; do
  if [[ -e "$dir/libopenblas.so" ]]; then OPENBLAS_LIB="$dir"; break; fi
done
[[ -n "$OPENBLAS_LIB" ]] || skip "OpenBLAS (libopenblas.so) is not installed"
OPENBLAS_INCLUDE=""
for dir in "${OPENBLAS_LIB/\/lib\//\/include\/}" /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/aarch64-linux-gnu/openblas-pthread /usr/include/openblas /usr/include /usr/local/include; do
  if [[ -f "$dir/cblas.h" ]] && grep -q openblas_set_num_threads "$dir/cblas.h"; then OPENBLAS_INCLUDE="$dir"; break; fi
done
[[ -n "$OPENBLAS_INCLUDE" ]] || skip "OpenBLAS's cblas.h is not installed"
mkdir -p build/native
# -march=native: the addon is built where it runs; OpenBLAS picks its own kernels at run time.
"$CXX" -std=c++17 -O3 -march=native -fPIC -shared -pthread -Wall -Wextra \
  -I"$NODE_INCLUDE" -I"$OPENBLAS_INCLUDE" native/cpu-kernels.cc \
  -L"$OPENBLAS_LIB" -lopenblas -Wl,-rpath,"$OPENBLAS_LIB" \
  -o build/native/cpu-kernels.node.tmp
mv build/native/cpu-kernels.node.tmp build/native/cpu-kernels.node
echo "native kernels built: build/native/cpu-kernels.node (OpenBLAS from $OPENBLAS_LIB)"
