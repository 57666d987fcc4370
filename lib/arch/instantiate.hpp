// lib/arch/instantiate.hpp — fills one ISA's kernel table. Included only by lib/arch/<isa>.cpp,
// each compiled with that ISA's flags and nothing else. The table builder lives in an anonymous
// namespace and every kernel is a template on the xsimd arch, so no symbol emitted here can be
// merged by the linker with code built for another ISA.
#pragma once

#include "kernels/activations.hpp"
#include "kernels/dense.hpp"
#include "kernels/finite.hpp"
#include "kernels/gemm/dispatch.hpp"
#include "kernels/gemm/epilogue.hpp"
#include "kernels/row_block.hpp"
#include "kernels/sigmoid.hpp"
#include "kernels/squared_error.hpp"
#include "kernels/table.hpp"
#include "kernels/tanh.hpp"

namespace simdnn::kernels {
namespace {

// The micro-kernel on packed panels, out of line so tests can drive it directly.
template <class Arch, class Shape>
void sgemm_micro_kernel_packed(std::size_t kc, const float* a_panel, const float* b_panel, float* c,
                               std::size_t ldc, float alpha, float beta, std::size_t rows,
                               std::size_t cols) noexcept {
  gemm::sgemm_micro_kernel<Arch, Shape::mr, Shape::nr>(kc, a_panel, 1, Shape::mr, b_panel,
                                                       Shape::nr, c, ldc, alpha, beta, rows, cols);
}

template <class Arch, class Shape>
const kernel_table& make_kernel_table(isa id, const char* name, const char* tile) noexcept {
  // The reproducibility contract (lib/kernels/gemm/dispatch.hpp, "Order of operations"): every
  // FMA ISA splits k at the same depth, and every ISA's workspace holds a gathered single row.
  static_assert(!has_hardware_fma<Arch> || Shape::kc == kReproducibleKc,
                "every FMA ISA must use KC = kReproducibleKc: it fixes the rounding order");
  static_assert((Shape::mr + Shape::nr) * Shape::kc >= gemm::kSingleRowMaxGather,
                "the sgemm workspace must hold a gathered row of kSingleRowMaxGather floats");
  static const kernel_table table{
      .id = id,
      .name = name,
      .gemm_tile = tile,
      .blocking = gemm_blocking{Shape::mr, Shape::nr, Shape::kc, Shape::mc, Shape::nc},
      .sgemm = &gemm::sgemm_dispatch<Arch, Shape>,
      .sgemm_packed_a = &gemm::sgemm_blocked<Arch, Shape, gemm::a_packing::always>,
      .sgemm_unpacked_a = &gemm::sgemm_blocked<Arch, Shape, gemm::a_packing::never>,
      .sgemm_small = &gemm::sgemm_small<Arch, Shape>,
      .sgemm_micro_kernel = &sgemm_micro_kernel_packed<Arch, Shape>,
      .sgemm_bias_activation = &gemm::sgemm_bias_activation<Arch, Shape>,
      .sigmoid = &sigmoid<Arch>,
      .sigmoid_fast = &sigmoid_fast<Arch>,
      .sigmoid_derivative = &sigmoid_derivative<Arch>,
      .sigmoid_delta = &sigmoid_delta<Arch>,
      .tanh = &tanh<Arch>,
      .tanh_delta = &tanh_delta<Arch>,
      .relu = &relu<Arch>,
      .relu_delta = &relu_delta<Arch>,
      .leaky_relu = &leaky_relu<Arch>,
      .leaky_relu_delta = &leaky_relu_delta<Arch>,
      .softmax = &softmax<Arch>,
      .softmax_delta = &softmax_delta<Arch>,
      .dense_forward = &dense_forward<Arch>,
      .dense_forward_narrow_row = &dense_forward_narrow_row<Arch>,
      .row_block_forward = &row_block_forward<Arch>,
      .row_block_backward = &row_block_backward<Arch>,
      .squared_error = &squared_error<Arch>,
      .all_finite = &all_finite<Arch>,
  };
  return table;
}

}  // namespace
}  // namespace simdnn::kernels
