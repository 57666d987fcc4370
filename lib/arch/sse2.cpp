// lib/arch/sse2.cpp — the x86-64 baseline: built with no -m flags. 16 xmm registers: a 6 x 8 tile
// (12 accumulators, 2 B vectors, 1 broadcast). No FMA: sigmoid evaluates in double here.
#include "arch/instantiate.hpp"

namespace simdnn::kernels {

const kernel_table& sse2_kernels() noexcept {
  return make_kernel_table<xsimd::sse2, gemm::gemm_shape<6, 8, 256, 96, 2048>>(isa::sse2, "sse2",
                                                                               "6x8");
}

}  // namespace simdnn::kernels
