// lib/kernels/gemm/store.hpp — the one store to C every SGEMM loop ends with.
//
//   dst := t                    when beta == 0 (C is never read: it may hold NaN or Inf)
//   dst := fma(beta, src, t)    otherwise; src is dst itself, or (the fused dense layer's first k
//                               block, lib/kernels/gemm/epilogue.hpp) the bias C starts from
//
// t is the loop's accumulator already multiplied by alpha (the documented order, table.hpp).
// A whole vector, the first `count` lanes of one (the last partial vector of a row of C: masked
// or piecewise, nothing past it is touched), or one scalar. The loops whose stores dominate (the
// small tiles) pick the beta == 0 and whole-vector cases once per tile, as template arguments;
// the others pass them at run time. Never allocates.
#pragma once

#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"

namespace simdnn::kernels::gemm {

// Whole vector (Whole) or its first `count` lanes (count < width), beta known to be zero or not,
// C's old value read from src.
template <class Arch, bool BetaZero, bool Whole>
[[gnu::always_inline]] inline void store_c(xsimd::batch<float, Arch> t, const float* src,
                                           float* dst, std::size_t count,
                                           xsimd::batch<float, Arch> beta_v) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (Whole) {
    if constexpr (!BetaZero) t = fused_multiply_add<Arch>(beta_v, fbatch::load_unaligned(src), t);
    t.store_unaligned(dst);
  } else {
    if constexpr (!BetaZero)
      t = fused_multiply_add<Arch>(beta_v, load_partial<Arch>(src, count), t);
    store_partial<Arch>(t, dst, count);
  }
}

// C's old value read from dst itself: every loop but the fused dense layer's first k block.
template <class Arch, bool BetaZero, bool Whole>
[[gnu::always_inline]] inline void store_c(xsimd::batch<float, Arch> t, float* dst,
                                           std::size_t count,
                                           xsimd::batch<float, Arch> beta_v) noexcept {
  store_c<Arch, BetaZero, Whole>(t, dst, dst, count, beta_v);
}

// The same with both decisions at run time: `count` == width stores the whole vector.
template <class Arch>
[[gnu::always_inline]] inline void store_c(xsimd::batch<float, Arch> t, const float* src,
                                           float* dst, std::size_t count, float beta,
                                           xsimd::batch<float, Arch> beta_v) noexcept {
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  if (count == width) {
    if (beta == 0.0f) {
      store_c<Arch, true, true>(t, src, dst, count, beta_v);
    } else {
      store_c<Arch, false, true>(t, src, dst, count, beta_v);
    }
  } else if (beta == 0.0f) {
    store_c<Arch, true, false>(t, src, dst, count, beta_v);
  } else {
    store_c<Arch, false, false>(t, src, dst, count, beta_v);
  }
}

template <class Arch>
[[gnu::always_inline]] inline void store_c(xsimd::batch<float, Arch> t, float* dst,
                                           std::size_t count, float beta,
                                           xsimd::batch<float, Arch> beta_v) noexcept {
  store_c<Arch>(t, dst, dst, count, beta, beta_v);
}

// One element (the scalar loops: a column of C, the single-row dot products).
template <class Arch>
[[gnu::always_inline]] inline void store_c(float t, float* dst, float beta) noexcept {
  *dst = beta == 0.0f ? t : fused_multiply_add<Arch>(beta, *dst, t);
}

}  // namespace simdnn::kernels::gemm
