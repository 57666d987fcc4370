// lib/arch/instantiate.hpp — fills one ISA's kernel table. Included only by lib/arch/<isa>.cpp,
// each compiled with that ISA's flags and nothing else. The table builder lives in an anonymous
// namespace and every kernel is a template on the xsimd arch, so no symbol emitted here can be
// merged by the linker with code built for another ISA.
#pragma once

#include "kernels/sgemm.hpp"
#include "kernels/sigmoid.hpp"
#include "kernels/table.hpp"

namespace simdnn::kernels {
namespace {

template <class Arch, class Shape>
const kernel_table& make_kernel_table(isa id, const char* name, const char* tile) noexcept {
  static const kernel_table table{
      id,
      name,
      tile,
      gemm_blocking{Shape::mr, Shape::nr, Shape::kc, Shape::mc, Shape::nc},
      &sgemm_blocked<Arch, Shape, a_packing::automatic>,
      &sgemm_blocked<Arch, Shape, a_packing::always>,
      &sgemm_blocked<Arch, Shape, a_packing::never>,
      &sigmoid<Arch>,
      &sigmoid_derivative<Arch>,
      &sigmoid_delta<Arch>,
  };
  return table;
}

}  // namespace
}  // namespace simdnn::kernels
