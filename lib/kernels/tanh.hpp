// lib/kernels/tanh.hpp — arch-generic hyperbolic tangent and its backprop step.
//
// tanh<Arch>(x, y, n):        y = tanh(x). Contract: simdnn/activation.hpp.
// tanh_delta<Arch>(g, a, d, n): d = g * (1 - a^2) from the saved output a, with 1 - a^2 as one
//   fma (correctly rounded), then the product: two roundings.
// Aliasing: y may equal x, d may equal g or a; no partial overlap. Never allocates.
//
// FIRST CUT: (1 - e) / (1 + e) with e = exp(-2|x|), sign restored. Replaced by the accurate kernel.
#pragma once

#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"

namespace simdnn::kernels {

template <class Arch>
inline xsimd::batch<float, Arch> tanh_batch(xsimd::batch<float, Arch> x) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  const fbatch e = exp_minus_abs_rounded<Arch>(x + x);
  const fbatch magnitude = (one - e) / (one + e);
  return xsimd::bitwise_or(magnitude, xsimd::bitwise_and(x, fbatch(-0.0f)));
}

template <class Arch>
void tanh(const float* x, float* y, std::size_t n) noexcept {
  for_each_batch<Arch>(x, y, n, [](xsimd::batch<float, Arch> v) { return tanh_batch<Arch>(v); });
}

template <class Arch>
void tanh_delta(const float* g, const float* a, float* d, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const auto step = [](fbatch gv, fbatch av) {
    return gv * fused_negated_multiply_add<Arch>(av, av, fbatch(1.0f));
  };
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    step(fbatch::load_unaligned(g + i), fbatch::load_unaligned(a + i)).store_unaligned(d + i);
  }
  if (i < n) {
    store_partial<Arch>(step(load_partial<Arch>(g + i, n - i), load_partial<Arch>(a + i, n - i)),
                        d + i, n - i);
  }
}

}  // namespace simdnn::kernels
