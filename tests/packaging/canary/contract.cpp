// The contraction canary (packaging.fp_contract_canary): `a * b + c` compiled with the AVX-512
// kernels' flags and every simdnn target's options. With -ffp-contract=off in force it is a
// multiply and an add, never an fma instruction; tools/check-fp-contract reads the object. The
// same file built with -ffp-contract=fast (packaging.fp_contract_canary_detects) must show an fma,
// which proves the check can fail.
#include <cstddef>

extern "C" float simdnn_contract_canary(float a, float b, float c) {
  return a * b + c;
}

extern "C" void simdnn_contract_canary_loop(float* y, const float* a, const float* b,
                                            std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] * b[i] + y[i];
}
