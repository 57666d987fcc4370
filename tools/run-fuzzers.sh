#!/usr/bin/env bash
# tools/run-fuzzers.sh [SECONDS] — build the libFuzzer targets for the model, CSV and ONNX
# loaders with clang (-fsanitize=fuzzer,address,undefined) and run each for SECONDS (default 60)
# on a copy of its seed corpus plus every past regression. Exits non-zero if a target finds anything (a crash,
# a sanitizer report, a broken invariant; see tests/fuzz/fuzz_targets.hpp) or does not build.
#
# A finding is left in build/fuzz/run/<target>/artifacts/; copy it into
# tests/fuzz/regressions/<target>/ (fuzz_regression_test then replays it on every test run) and
# fix the loader.
#
# Environment: SIMDNN_FUZZ_BUILD_DIR (default build/fuzz), SIMDNN_FUZZ_JOBS (default 2),
# CXX (default clang++).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: tools/run-fuzzers.sh [SECONDS]   (a positive whole number, default 60)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SIMDNN_FUZZ_BUILD_DIR:-$root/build/fuzz}"
jobs="${SIMDNN_FUZZ_JOBS:-2}"
compiler="${CXX:-clang++}"
if ! command -v "$compiler" >/dev/null; then
  echo "run-fuzzers: $compiler not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

# The whole build is instrumented (coverage feedback and sanitizers inside the library too); the
# two targets then link libFuzzer's main (tests/fuzz/fuzzers.cmake). Warnings are not errors
# here: this build exists to run the fuzzers, the presets hold the warning line.
# The AVX-512 kernel object is left out (SIMDNN_ENABLE_AVX512=OFF, as in the asan preset): the
# fuzzed loaders never run a kernel, and under this instrumentation that one file took over ten
# minutes of the CI's fuzz stage to compile (the dispatcher then picks AVX2).
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
sanitize+=" -fno-omit-frame-pointer"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIMDNN_BUILD_FUZZERS=ON -DSIMDNN_BUILD_TESTS=ON -DSIMDNN_BUILD_TOOLS=OFF \
  -DSIMDNN_ENABLE_AVX512=OFF \
  -DSIMDNN_WARNINGS_AS_ERRORS=OFF -DCMAKE_CXX_FLAGS="$sanitize" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
targets=(model csv)
# onnx_fuzz exists when the build found protobuf and libonnx-dev (simdnn::onnx); say so if not.
# (The list is captured first: grep -q closing the pipe early would fail it under pipefail.)
target_list="$(cmake --build "$build" --target help 2>/dev/null || true)"
if grep -q 'onnx_fuzz' <<<"$target_list"; then
  targets+=(onnx)
else
  echo "run-fuzzers: onnx_fuzz SKIPPED (no simdnn::onnx in this build: libonnx-dev or" \
    "libprotobuf-dev missing)"
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]/%/_fuzz}"

failed=()
for target in "${targets[@]}"; do
  work="$build/run/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  # A copy: the fuzzer adds the inputs it finds interesting to its corpus directory, and the
  # seeds in the repository stay small and reviewed.
  cp "$root/tests/fuzz/corpus/$target/." "$work/corpus/" -R
  if [ -d "$root/tests/fuzz/regressions/$target" ]; then
    cp "$root/tests/fuzz/regressions/$target/." "$work/corpus/" -R
  fi
  echo "== ${target}_fuzz for ${seconds} s"
  set +e
  "$build/tests/${target}_fuzz" "$work/corpus" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" -timeout=10 -rss_limit_mb=2048 \
    >"$work/log.txt" 2>&1
  status=$?
  set -e
  # The summary: executions, speed, coverage, corpus size.
  grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" \
    "$work/log.txt" || true
  if [ "$status" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
    echo "run-fuzzers: ${target}_fuzz FAILED (exit $status); log: $work/log.txt" >&2
    ls "$work/artifacts" >&2 || true
    grep -m 20 -E "ERROR|SUMMARY|fuzz finding|deadly signal" "$work/log.txt" >&2 || true
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "run-fuzzers: findings in: ${failed[*]}" \
    "(copy the artifacts into tests/fuzz/regressions/)" >&2
  exit 1
fi
echo "run-fuzzers: no findings"
