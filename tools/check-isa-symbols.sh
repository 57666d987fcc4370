#!/usr/bin/env bash
# check-isa-symbols.sh LIBRARY.a — proves that no code compiled for one ISA can be linked in for
# another. An inline function or template instantiated in lib/arch/avx2.cpp is emitted as a weak
# symbol; if the same symbol is also emitted elsewhere (baseline code, a user's program), the
# linker keeps one copy at random and an older CPU may execute AVX-512 instructions. So every
# externally visible symbol an ISA object defines must carry that ISA's xsimd arch type in its
# (demangled) name,
# except the one table getter each ISA exports on purpose.
set -euo pipefail
library=${1:?usage: check-isa-symbols.sh libsimdnn.a}

declare -A tag=(
  [sse2]='xsimd::sse2'
  [avx2]='xsimd::fma3<xsimd::avx2>'
  [avx512]='xsimd::avx512f'
)
declare -A getter=(
  [sse2]='_ZN6simdnn7kernels12sse2_kernelsEv'
  [avx2]='_ZN6simdnn7kernels12avx2_kernelsEv'
  [avx512]='_ZN6simdnn7kernels14avx512_kernelsEv'
)

status=0
checked=0
for isa in sse2 avx2 avx512; do
  member=$(ar t "$library" | grep -E "^${isa}\.cpp\.o$" || true)
  [ -n "$member" ] || continue
  checked=$((checked + 1))
  # Defined, externally visible symbols: global text/data (T D B R), weak (W V), unique (u).
  symbols=$(nm --defined-only "$library" 2>/dev/null | awk -v m="$member" '
    /^$/ { next }
    /:$/ { current = substr($0, 1, length($0) - 1); next }
    current == m && $2 ~ /^[TDBRWVu]$/ { print $3 }')
  count=0
  while IFS= read -r symbol; do
    [ -n "$symbol" ] || continue
    count=$((count + 1))
    if [ "$symbol" = "${getter[$isa]}" ]; then continue; fi
    # The personality-routine reference is data the unwinder reads, identical in every object.
    if [ "$symbol" = "DW.ref.__gxx_personality_v0" ]; then continue; fi
    demangled=$(echo "$symbol" | c++filt)
    if [[ "$demangled" == *"${tag[$isa]}"* ]]; then continue; fi
    echo "FAIL: ${member} exports ${demangled} (${symbol}) without ${tag[$isa]} in its name"
    status=1
  done <<< "$symbols"
  echo "${member}: ${count} external symbols, all ${isa}-specific or the table getter"
done

if [ "$checked" -eq 0 ]; then
  echo "FAIL: no per-ISA objects (sse2.cpp.o, avx2.cpp.o, avx512.cpp.o) found in ${library}"
  exit 1
fi
exit $status
