#!/usr/bin/env bash
# tools/ci-extra.sh — the CI stages after the README's test command (.ci/run calls it):
#   1. the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#      (cmake --workflow --preset asan: build/asan, every test but the exhaustive label);
#   2. the libFuzzer targets for the model and CSV loaders, SECONDS each (default 60), on their
#      seed corpora and past regressions (tools/run-fuzzers.sh; needs clang and libFuzzer).
# Any failure fails the run. Each stage prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

stage() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "== ci-extra: $name"
  "$@"
  echo "== ci-extra: $name passed in $((SECONDS - start)) s"
}

# clang and libFuzzer's runtime are the only additions to tools/install-deps.sh's list; like it,
# no apt-get call at all when they are present.
fuzzer_runtime=(/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a)
if ! command -v clang++ >/dev/null || [ ! -e "${fuzzer_runtime[0]}" ]; then
  echo "== ci-extra: installing clang and libFuzzer"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi

stage "asan workflow" cmake --workflow --preset asan
stage "fuzzers (${seconds} s each)" tools/run-fuzzers.sh "$seconds"
