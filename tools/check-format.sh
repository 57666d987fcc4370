#!/usr/bin/env bash
# tools/check-format.sh — every C++ file git tracks is formatted as .clang-format says
# (clang-format --dry-run -Werror). Exit 1 naming the files that are not; `--fix` rewrites them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
format="${CLANG_FORMAT:-clang-format}"
cd "$root"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  "$format" -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
if ! "$format" --dry-run -Werror "${files[@]}" 2>/tmp/simdnn-format.$$; then
  grep 'code should be clang-formatted' /tmp/simdnn-format.$$ | cut -d: -f1 | sort -u |
    sed 's/^/  /' >&2
  rm -f /tmp/simdnn-format.$$
  echo "check-format: the files above differ from .clang-format (tools/check-format.sh --fix)" >&2
  exit 1
fi
rm -f /tmp/simdnn-format.$$
echo "check-format: ${#files[@]} files formatted as .clang-format says"
