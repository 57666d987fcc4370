#!/usr/bin/env bash
# tools/run-clang-tidy.sh BUILD_DIR — clang-tidy (.clang-tidy: bugprone, performance, function
# size) over the library's own sources, with the compile commands of BUILD_DIR (a clang build, so
# every flag is one clang-tidy understands). Two files at a time. Exit 1 on any finding.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:?usage: tools/run-clang-tidy.sh BUILD_DIR (a configured clang build)}"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "run-clang-tidy: no $build/compile_commands.json (configure with a preset first)" >&2
  exit 2
fi
tidy="${CLANG_TIDY:-clang-tidy}"
# The library's sources that this build compiles (a preset may leave out the AVX-512 file).
mapfile -t sources < <(cd "$root" && git ls-files 'lib/*.cpp' 'lib/**/*.cpp' |
  python3 -c '
import json, os, sys
built = {os.path.realpath(e["file"]) for e in json.load(open(sys.argv[1]))}
for line in sys.stdin:
    path = line.strip()
    if os.path.realpath(path) in built:
        print(path)' "$build/compile_commands.json")
echo "run-clang-tidy: ${#sources[@]} library sources"
printf '%s\n' "${sources[@]}" | (cd "$root" && xargs -P 2 -n 1 "$tidy" -p "$build" --quiet)
echo "run-clang-tidy: no findings"
