// lib/kernels/activations.hpp — arch-generic relu, leaky_relu and softmax with their backprop
// steps (the sigmoid's are in sigmoid.hpp, tanh's in tanh.hpp). Contracts: simdnn/activation.hpp.
//
// relu<Arch>(x, y, n):                 y = max(0, x) + 0: exact, -0 -> +0, NaN -> NaN.
// relu_delta<Arch>(g, a, d, n):        d = a > 0 ? g : 0, from the saved output a.
// leaky_relu<Arch>(x, y, n, slope):    y = x > 0 ? x : slope * x (one rounding), NaN -> NaN.
// leaky_relu_delta<Arch>(g, a, d, n, slope): d = a > 0 ? g : slope * g (slope >= 0, so a > 0
//   exactly where z > 0).
// softmax<Arch>(x, y, rows, cols):     per row y_j = e_j / sum_k e_k, e_j = exp(x_j - m), m the
//   row's maximum. x_j - m carried exactly (TwoSum) into the sigmoid's reduction
//   (exp_of_difference: e_j within ~1.1 ULP), flushed to +0 below FLT_MIN; the sum in double, in
//   four partial sums over j mod 4 combined as (s0 + s1) + (s2 + s3); y_j = float(e_j * (1 / sum))
//   in double. So y_j's error is its own rounding plus e_j's and the sum's relative errors, each
//   <= ~1.6 * 2^-24: <= 3.7 ULP (measured 2.12 on 2.9 million random values), and the outputs'
//   exact sum is within 2^-24 of 1 (each output's rounding is <= 2^-24 of it; measured
//   0.81 * 2^-24). Nothing depends on the vector width: the reduction is scalar in a fixed order
//   and the elementwise steps are the same IEEE operations on every ISA.
// softmax_delta<Arch>(g, a, d, rows, cols): d_j = a_j (g_j - sum_k g_k a_k), the product with
//   softmax's Jacobian (used with the squared error; the cross-entropy fuses it away). The dot
//   product in double, fixed order as the softmax's sum; d_j = float(a_j (g_j - dot)) in double.
//
// Aliasing: y may equal x, d may equal g or a; no partial overlap. Never allocates. Tails run as
// one partial vector, so a value's result does not depend on its position.
#pragma once

#include <cstddef>
#include <limits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"

namespace simdnn::kernels {

template <class Arch>
inline xsimd::batch<float, Arch> relu_batch(xsimd::batch<float, Arch> x) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  // x86 max returns its second operand when either is NaN or both are zeros: max(0, x) keeps a
  // NaN and gives -0 for -0, which adding +0 turns into +0 (and changes nothing else).
  return xsimd::max(fbatch(0.0f), x) + fbatch(0.0f);
}

template <class Arch>
inline xsimd::batch<float, Arch> leaky_relu_batch(xsimd::batch<float, Arch> x,
                                                  xsimd::batch<float, Arch> slope) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  return xsimd::select(x > fbatch(0.0f), x, slope * x);
}

template <class Arch>
void relu(const float* x, float* y, std::size_t n) noexcept {
  for_each_batch<Arch>(x, y, n, [](xsimd::batch<float, Arch> v) { return relu_batch<Arch>(v); });
}

template <class Arch>
void leaky_relu(const float* x, float* y, std::size_t n, float slope) noexcept {
  const xsimd::batch<float, Arch> s(slope);
  for_each_batch<Arch>(x, y, n,
                       [s](xsimd::batch<float, Arch> v) { return leaky_relu_batch<Arch>(v, s); });
}

template <class Arch>
void relu_delta(const float* g, const float* a, float* d, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  for_each_pair<Arch>(g, a, d, n, [](fbatch gv, fbatch av) {
    return xsimd::select(av > fbatch(0.0f), gv, fbatch(0.0f));
  });
}

template <class Arch>
void leaky_relu_delta(const float* g, const float* a, float* d, std::size_t n,
                      float slope) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch s(slope);
  for_each_pair<Arch>(g, a, d, n, [s](fbatch gv, fbatch av) {
    return xsimd::select(av > fbatch(0.0f), gv, s * gv);
  });
}

// exp(x - m) for x <= m (m the row's maximum; or x = -inf, or NaN), rounded once from 2^n (1 + u),
// and +0 below FLT_MIN (x - m < -87.33654), so no subnormal reaches the sum. The difference is
// carried exactly as t + t_lo (TwoSum): rounded alone, t's error (up to 2^-24 |t|, |t| up to 87)
// would pass into e as a relative error of up to ~90 ULP. exp(t + t_lo) = 2^n (1 + u)(1 + t_lo)
// to within t_lo^2 <= 2^-34 relative, so t_lo joins u before the one rounding. Where x - m
// overflows to -inf, t_lo is NaN, but the flush tests t and gives 0.
template <class Arch>
inline xsimd::batch<float, Arch> exp_of_difference(xsimd::batch<float, Arch> x,
                                                   xsimd::batch<float, Arch> m) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch t = x - m;
  const fbatch m_part = t - x;       // -m, rounded
  const fbatch x_part = t - m_part;  // x, rounded
  const fbatch t_lo = (x - x_part) - (m + m_part);
  fbatch u, scale;
  exp_minus_abs_reduced<Arch>(t, u, scale);  // t <= 0: -|t| is t
  const fbatch u_total = u + fused_multiply_add<Arch>(t_lo, u, t_lo);
  return flush_below_flt_min<Arch>(t, fused_multiply_add<Arch>(u_total, scale, scale));
}

// Sum (or dot product) of n doubles produced by `term(j)`, in the fixed order of the contract.
template <class Term>
inline double fixed_order_sum(std::size_t n, Term term) noexcept {
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s[0] += term(j);
    s[1] += term(j + 1);
    s[2] += term(j + 2);
    s[3] += term(j + 3);
  }
  for (std::size_t q = 0; j < n; ++j, ++q) s[q] += term(j);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

template <class Arch>
void softmax(const float* x, float* y, std::size_t rows, std::size_t cols) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    // The maximum is exact whatever the order. NaN: the scalar max below lets it through (the
    // comparison is false), and exp(NaN - m) keeps it in every output of the row.
    float m = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (std::size_t j = 0; j < cols; ++j) {
      m = in[j] > m ? in[j] : m;
      nan |= in[j] != in[j];
    }
    if (nan) m = std::numeric_limits<float>::quiet_NaN();
    // An all -inf row has no maximum to subtract: treat it as uniform over... every e_j is then
    // exp(NaN); the network never sees -inf (inputs are checked finite).
    const fbatch shift(m);
    std::size_t j = 0;
    for (; j + width <= cols; j += width) {
      exp_of_difference<Arch>(fbatch::load_unaligned(in + j), shift).store_unaligned(out + j);
    }
    if (j < cols) {
      store_partial<Arch>(exp_of_difference<Arch>(load_partial<Arch>(in + j, cols - j), shift),
                          out + j, cols - j);
    }
    const double sum = fixed_order_sum(cols, [&](std::size_t k) { return double{out[k]}; });
    const double inverse = 1.0 / sum;
    for (std::size_t k = 0; k < cols; ++k) {
      out[k] = static_cast<float>(static_cast<double>(out[k]) * inverse);
    }
  }
}

template <class Arch>
void softmax_delta(const float* g, const float* a, float* d, std::size_t rows,
                   std::size_t cols) noexcept {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* gr = g + r * cols;
    const float* ar = a + r * cols;
    float* dr = d + r * cols;
    const double dot = fixed_order_sum(
        cols, [&](std::size_t k) { return static_cast<double>(gr[k]) * double{ar[k]}; });
    for (std::size_t k = 0; k < cols; ++k) {
      dr[k] = static_cast<float>(double{ar[k]} * (double{gr[k]} - dot));
    }
  }
}

}  // namespace simdnn::kernels
