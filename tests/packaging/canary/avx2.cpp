// A deliberately bad "ISA object" for the symbol check's own test: a plain inline helper is
// emitted as a weak, untagged symbol, exactly the hazard check-isa-symbols.sh exists to catch.
// packaging.isa_symbols_canary expects the check to fail on this archive.
inline int simdnn_canary_helper(int x) {
  return x * 3;
}
int (*simdnn_canary_use)(int) = &simdnn_canary_helper;
