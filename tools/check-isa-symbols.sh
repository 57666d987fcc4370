#!/usr/bin/env bash
# check-isa-symbols.sh LIBRARY.a — proves that no code compiled for a wide ISA can be linked in
# where baseline code is expected. An inline function or template instantiated in
# lib/arch/avx2.cpp is emitted as a weak symbol; if the same symbol is emitted anywhere else
# (another object of the library, or a user's program), the linker keeps one copy, possibly the
# AVX one, and an older CPU crashes. So for the AVX2 and AVX-512 objects:
#   1. no externally visible symbol they define is defined by any other object of the library;
#   2. each such symbol names an xsimd arch type of that ISA (so no user code, which never
#      instantiates xsimd for these archs, can emit it), except the one table getter.
# The SSE2 object is baseline code, safe wherever the linker puts it; it is only counted.
set -euo pipefail
library=${1:?usage: check-isa-symbols.sh libsimdnn.a}

declare -A tag_regex=(
  [avx2]='xsimd::(fma3<xsimd::avx2>|avx2|avx)[,>]'
  [avx512]='xsimd::avx512f[,>]|avx512'
)
declare -A getter=(
  [avx2]='_ZN6simdnn7kernels12avx2_kernelsEv'
  [avx512]='_ZN6simdnn7kernels14avx512_kernelsEv'
)

# "member symbol" for every defined, externally visible symbol: global text/data (T D B R),
# weak (W V), unique (u). The personality-routine reference is unwinder data, the same bytes in
# every object, and is left out.
table=$(nm --defined-only "$library" 2>/dev/null | awk '
  /^$/ { next }
  /:$/ { member = substr($0, 1, length($0) - 1); next }
  $2 ~ /^[TDBRWVu]$/ && $3 != "DW.ref.__gxx_personality_v0" { print member, $3 }')

status=0
found=0
for isa in sse2 avx2 avx512; do
  member="${isa}.cpp.o"
  symbols=$(awk -v m="$member" '$1 == m { print $2 }' <<< "$table")
  [ -n "$symbols" ] || continue
  found=$((found + 1))
  count=$(wc -l <<< "$symbols")
  if [ "$isa" = sse2 ]; then
    echo "${member}: ${count} external symbols (baseline code: safe anywhere)"
    continue
  fi
  bad=0
  while IFS= read -r symbol; do
    [ "$symbol" = "${getter[$isa]}" ] && continue
    # RTTI of function types (typeinfo _ZTI and its name string _ZTS), which clang's
    # -fsanitize=function emits beside each indirectly called function: read-only data, the
    # same bytes in every object, never code, so whichever copy the linker keeps is safe.
    [[ "$symbol" == _ZTI* || "$symbol" == _ZTS* ]] && continue
    elsewhere=$(awk -v m="$member" -v s="$symbol" '$2 == s && $1 != m { print $1 }' <<< "$table")
    demangled=$(c++filt <<< "$symbol")
    if [ -n "$elsewhere" ]; then
      echo "FAIL: ${member} and ${elsewhere//$'\n'/, } both define ${demangled}"
      bad=1
    elif ! [[ "$demangled" =~ ${tag_regex[$isa]} ]]; then
      echo "FAIL: ${member} exports ${demangled} (${symbol}), which names no ${isa} xsimd arch"
      bad=1
    fi
  done <<< "$symbols"
  [ $bad -eq 0 ] && echo "${member}: ${count} external symbols, all ${isa}-specific and unique"
  [ $bad -eq 0 ] || status=1
done

if [ "$found" -eq 0 ]; then
  echo "FAIL: no per-ISA objects (sse2.cpp.o, avx2.cpp.o, avx512.cpp.o) found in ${library}"
  exit 1
fi
exit $status
