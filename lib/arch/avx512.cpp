// lib/arch/avx512.cpp — AVX-512F, built with -mavx512f (and -mavx2 -mfma for the scalar code GCC
// may emit). 32 zmm registers: a 12 x 32 tile (24 accumulators, 2 B vectors, 1 broadcast).
#include "arch/instantiate.hpp"

namespace simdnn::kernels {

const kernel_table& avx512_kernels() noexcept {
  return make_kernel_table<xsimd::avx512f, gemm::gemm_shape<12, 32, kReproducibleKc, 144, 2048>>(
      isa::avx512, "avx512", "12x32");
}

}  // namespace simdnn::kernels
