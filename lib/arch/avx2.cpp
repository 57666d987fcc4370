// lib/arch/avx2.cpp — AVX2 + FMA3, built with -mavx2 -mfma only. 16 ymm registers: a 6 x 16 tile
// (12 accumulators, 2 B vectors, 1 broadcast). A KC x NR panel of B (24 KiB) stays in the 32 KiB
// L1D; an MC x KC block of A (144 KiB) sits in the 512 KiB L2 of this Zen 3 core. Measured
// against KC/MC = 256/144, 192/240 and 512/72 at 1024^3 and 256x784x256 (bench/, medians):
// 384/96 was fastest.
#include "arch/instantiate.hpp"

namespace simdnn::kernels {

const kernel_table& avx2_kernels() noexcept {
  return make_kernel_table<xsimd::fma3<xsimd::avx2>, gemm_shape<6, 16, 384, 96, 2048>>(
      isa::avx2, "avx2", "6x16");
}

}  // namespace simdnn::kernels
