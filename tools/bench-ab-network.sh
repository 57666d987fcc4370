#!/bin/sh
# tools/bench-ab-network.sh — times the 784-256-128-10 batch-256 train step and forward pass of
# two git revisions alternately in one process (bench/ab/ab_main.cpp), the only comparison that
# means anything on a VM whose speed drifts by up to 1.5x within minutes.
#   tools/bench-ab-network.sh OLD_REV [NEW_REV [REPETITIONS [ITERATIONS]]]
# Builds each revision's library (position independent, Release -O3, its own flags) under
# build/ab/<rev>, links bench/ab/ab_entry.cpp with it into a shared object, then runs the harness.
# Set SIMDNN_ISA (e.g. avx2) to cap both sides' ISA. Builds under flock /tmp/simdnn-build.lock
# when flock exists (the machine is shared).
set -eu
old=${1:?usage: tools/bench-ab-network.sh OLD_REV [NEW_REV [REPETITIONS [ITERATIONS]]]}
new=${2:-HEAD}
repetitions=${3:-15}
iterations=${4:-10}
root=$(git rev-parse --show-toplevel)
out="$root/build/ab"
lock() { if command -v flock >/dev/null; then flock /tmp/simdnn-build.lock "$@"; else "$@"; fi; }

build_side() {  # $1: revision; prints the shared object's path
  rev=$(git -C "$root" rev-parse --short "$1")
  src="$out/$rev/src"
  if [ ! -f "$out/$rev/build/lib/libsimdnn.a" ]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$root" archive "$rev" | tar -x -C "$src"
    lock cmake -S "$src" -B "$out/$rev/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG" -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
      -DSIMDNN_BUILD_TESTS=OFF -DSIMDNN_BUILD_TOOLS=OFF >/dev/null
    lock cmake --build "$out/$rev/build" --target simdnn -j2 >/dev/null
  fi
  if [ ! -f "$out/$rev/side.so" ] || [ "$root/bench/ab/ab_entry.cpp" -nt "$out/$rev/side.so" ]; then
    # The harness entry of the current tree, against this revision's public headers.
    lock c++ -std=c++20 -O2 -fPIC -shared -fvisibility=hidden -Wl,-Bsymbolic \
      -I"$src/include" -I"$root/bench" "$root/bench/ab/ab_entry.cpp" \
      "$out/$rev/build/lib/libsimdnn.a" -pthread -o "$out/$rev/side.so"
  fi
  echo "$out/$rev/side.so"
}

old_so=$(build_side "$old")
new_so=$(build_side "$new")
[ -x "$out/simdnn_ab" ] && [ "$out/simdnn_ab" -nt "$root/bench/ab/ab_main.cpp" ] ||
  c++ -std=c++20 -O2 "$root/bench/ab/ab_main.cpp" -ldl -o "$out/simdnn_ab"
echo "old: $old ($old_so)"
echo "new: $new ($new_so)"
lock "$out/simdnn_ab" "$old_so" "$new_so" "$repetitions" "$iterations"
