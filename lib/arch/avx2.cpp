// lib/arch/avx2.cpp — AVX2 + FMA3, built with -mavx2 -mfma only. 16 ymm registers: a 6 x 16 tile
// (12 accumulators, 2 B vectors, 1 broadcast). KC x NR panel of B = 16 KiB stays in L1; an
// MC x KC block of A = 144 KiB sits in a 512 KiB L2.
#include "arch/instantiate.hpp"

namespace simdnn::kernels {

const kernel_table& avx2_kernels() noexcept {
  return make_kernel_table<xsimd::fma3<xsimd::avx2>, gemm_shape<6, 16, 256, 144, 2048>>(
      isa::avx2, "avx2", "6x16");
}

}  // namespace simdnn::kernels
