#!/usr/bin/env bash
# Compiles and runs a few source files with their GoogleTest tests, outside the CMake build:
#   scripts/quick_test.sh src/delta/schema.cc src/delta/schema_test.cc [-- --gtest_filter=...]
# For working on one component while other files of the tree are mid-edit. The real build
# and the test command remain scripts/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.deps/venv/bin/python"
INC=$("$PY" -c "import pyarrow; print(pyarrow.get_include())")
LIB=$("$PY" -c "import pyarrow; print(pyarrow.get_library_dirs()[0])")
srcs=(); args=()
while (($#)); do
  if [[ "$1" == "--" ]]; then shift; args=("$@"); break; fi
  srcs+=("$1"); shift
done
out="$ROOT/build/quick/$(basename "${srcs[-1]}" .cc)"
mkdir -p "$(dirname "$out")"
ccache g++ -std=c++20 -g -O0 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
  -fsanitize=address,undefined -fno-omit-frame-pointer \
  -I"$ROOT/src" -I"$ROOT/include" -isystem "$INC" \
  "${srcs[@]}" "$ROOT/src/common/error.cc" -o "$out" \
  $(pkg-config --libs simdjson) -L"$LIB" -Wl,-rpath,"$LIB" -larrow_dataset -larrow_acero -lparquet -larrow_compute -larrow \
  -lroaring -lfmt -lgtest -lgtest_main -lpthread
"$out" "${args[@]}"
