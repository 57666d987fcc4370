// lib/arch/avx2.cpp — AVX2 + FMA3, built with -mavx2 -mfma only. 16 ymm registers: a 6 x 16 tile
// (12 accumulators, 2 B vectors, 1 broadcast). KC is kReproducibleKc (256), shared with AVX-512
// so both round the same sums: a KC x NR panel of B (16 KiB) stays in L1D; an MC x KC block of A
// (144 KiB at MC = 144) sits in L2 (512 KiB on Zen 3, 2 MiB on Sapphire Rapids). (KC/MC =
// 384/96 measured fastest on Zen 3 before KC became part of the contract.)
#include "arch/instantiate.hpp"

namespace simdnn::kernels {

const kernel_table& avx2_kernels() noexcept {
  return make_kernel_table<xsimd::fma3<xsimd::avx2>,
                           gemm::gemm_shape<6, 16, kReproducibleKc, 144, 2048>>(isa::avx2, "avx2",
                                                                                "6x16");
}

}  // namespace simdnn::kernels
