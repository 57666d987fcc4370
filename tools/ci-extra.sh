#!/usr/bin/env bash
# tools/ci-extra.sh — the CI stages after the README's test command (.ci/run calls it):
#   1. the format check (tools/check-format.sh: clang-format --dry-run -Werror, .clang-format);
#   2. the whole test suite built with clang under AddressSanitizer + UndefinedBehaviorSanitizer
#      (cmake --workflow --preset asan: build/asan, every test but the exhaustive label): the
#      clang build of the library and the tests;
#   3. clang-tidy on the library (tools/run-clang-tidy.sh, .clang-tidy) with that build's
#      compile commands;
#   4. ThreadSanitizer on the tests that share work between threads (--preset tsan: the sgemm
#      pool, a predictor shared by threads, a network on several threads);
#   5. the libFuzzer targets for the model, CSV and ONNX loaders (the last when simdnn::onnx is
#      built), SECONDS each (default 60), on their seed corpora and past regressions
#      (tools/run-fuzzers.sh; needs clang and libFuzzer).
# Any failure fails the run. Each stage prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-45}"

stage() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "== ci-extra: $name"
  "$@"
  echo "== ci-extra: $name passed in $((SECONDS - start)) s"
}

# clang, its sanitizer and libFuzzer runtimes, clang-format and clang-tidy are the only additions
# to tools/install-deps.sh's list; like it, no apt-get call at all when they are present.
fuzzer_runtime=(/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a)
if ! command -v clang++ >/dev/null || [ ! -e "${fuzzer_runtime[0]}" ] ||
   ! command -v clang-format >/dev/null || ! command -v clang-tidy >/dev/null; then
  echo "== ci-extra: installing clang, libFuzzer, clang-format and clang-tidy"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev \
    clang-format clang-tidy
fi

stage "format check" tools/check-format.sh
stage "asan workflow (clang)" cmake --workflow --preset asan
stage "clang-tidy" tools/run-clang-tidy.sh build/asan
stage "tsan workflow (clang)" cmake --workflow --preset tsan
stage "fuzzers (${seconds} s each)" tools/run-fuzzers.sh "$seconds"
