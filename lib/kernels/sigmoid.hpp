// lib/kernels/sigmoid.hpp — arch-generic logistic sigmoid and its backprop helpers.
//
// sigmoid<Arch>(x, y, n):            y[i] = 1 / (1 + exp(-x[i]))
//   Max error <= 1.5 ULP wherever the result is a normal float (exhaustively tested, every ISA);
//   results below FLT_MIN are flushed to +0; exactly 1 where the exact value rounds to 1;
//   NaN -> NaN (same payload), +inf -> 1, -inf -> 0; never NaN for a non-NaN input.
// sigmoid_derivative<Arch>(s, d, n): d[i] = s (1 - s) with one rounding: correctly rounded.
// sigmoid_delta<Arch>(g, s, d, n):   d[i] = g[i] * (s (1 - s)): two roundings, relative error <= 2^-23.
// Aliasing: output may equal an input; no partial overlap. Never allocates. Tails (n not a
// multiple of the vector width) run through the same vector code as one partial vector, so a
// value's result does not depend on its position in the array.
//
// Method (why it is accurate): with t = -|x|, e = exp(t) in (0, 1] is carried as an unevaluated
// sum 2^n * (e_hi + e_lo): Cody-Waite reduction t = n ln2 + r with r exact (ln2_hi has 15
// significant bits, fma), a degree-7 Taylor polynomial (truncation < 5e-9 relative on
// |r| <= ln2/2) evaluated as 1 + (r + r^2 q(r)) with the rounding errors of both additions
// recovered exactly (Fast2Sum / fma), and ln2_lo folded in first-order. Then q = 1 / (1 + e) is
// one division plus an fma Newton correction that also absorbs the rounding of 1 + e, kept as
// q_hi + q_lo. x >= 0 gives q_hi + q_lo; x < 0 gives e * q = (a + b)(q_hi + q_lo) summed into one
// rounding. Every intermediate error is far below half an ULP, so the result is within ~0.6 ULP.
// The naive 1 / (1 + exp(-x)) is worse (~2.5 ULP) because exp's own rounding passes straight into
// the result for x < 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/partial.hpp"

namespace simdnn::kernels {

// True where xsimd::fma is a hardware fused multiply-add. On SSE2 it is a multiply and an add,
// which would break the exact error recovery below, so SSE2 computes in double instead.
template <class Arch>
inline constexpr bool has_hardware_fma = !std::is_same_v<Arch, xsimd::sse2>;

// Float-float evaluation (needs a hardware fma); see the method note above. Works on N
// independent vectors in lock step, stage by stage: one vector's dependency chain is ~75 cycles
// deep, and interleaving lets the out-of-order core overlap N chains within its FP scheduler.
template <class Arch, std::size_t N>
inline void sigmoid_batches_fma(xsimd::batch<float, Arch> (&v)[N]) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using ibatch = xsimd::batch<std::int32_t, Arch>;
  // Constants are locals, never namespace-scope SIMD objects (SIGILL under dispatch).
  const fbatch one(1.0f);
  const fbatch log2e(1.44269504088896341f);
  const fbatch ln2_hi(0.693145751953125f);        // 15 significant bits: n * ln2_hi is exact
  const fbatch ln2_lo(1.42860682030941723212e-6f); // ln2 - ln2_hi
  // Taylor coefficients of (e^r - 1 - r) / r^2 = 1/2 + r/6 + ... + r^5/5040.
  const fbatch c2(0.5f), c3(1.0f / 6.0f), c4(1.0f / 24.0f), c5(1.0f / 120.0f),
      c6(1.0f / 720.0f), c7(1.0f / 5040.0f);
  const fbatch magic(0x1.8p23f);

  fbatch n_biased[N], r[N], r_lo[N], q[N], r2[N], u[N], e_hi[N], e_lo[N], a[N], b[N];
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) {
    // |x| is clamped so that 2^n stays a normal float; beyond 87.5 the result is 0 or 1 anyway.
    // Operand order matters: x86 min returns its *second* operand when either is NaN, so a NaN
    // input flows through every step below and comes out NaN without a compare and blend.
    const fbatch t = -xsimd::min(fbatch(87.5f), xsimd::abs(v[k]));
    // Round t * log2(e) to an integer n with the 1.5 * 2^23 trick: the sum's low mantissa bits
    // then hold n itself, which also gives 2^n below without a float-to-int conversion.
    n_biased[k] = xsimd::fma(t, log2e, magic);
    const fbatch n = n_biased[k] - magic;          // in [-126, 0]
    r[k] = xsimd::fma(n, -ln2_hi, t);              // exact (Sterbenz, exact product)
    r_lo[k] = n * -ln2_lo;
  }
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) {
    // q(r) by Estrin's scheme: three fma levels instead of five dependent ones.
    r2[k] = r[k] * r[k];
    const fbatch r4 = r2[k] * r2[k];
    const fbatch q01 = xsimd::fma(c3, r[k], c2);
    const fbatch q23 = xsimd::fma(c5, r[k], c4);
    const fbatch q45 = xsimd::fma(c7, r[k], c6);
    q[k] = xsimd::fma(r4, q45, xsimd::fma(r2[k], q23, q01));
  }
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) {
    u[k] = xsimd::fma(r2[k], q[k], r[k]);                 // r + r^2 q, |u| < 0.42
    const fbatch u_err = xsimd::fma(r2[k], q[k], r[k] - u[k]);  // its rounding error, exact r-u
    e_hi[k] = one + u[k];
    e_lo[k] = (u[k] - (e_hi[k] - one)) + xsimd::fma(e_hi[k], r_lo[k], u_err);  // Fast2Sum + ln2_lo
  }
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) {
    // 2^n: n sits in the low bits of n_biased; shifting them into the exponent field and adding
    // the bias gives the float 2^n exactly (n + 127 in [1, 127]).
    const ibatch biased = (xsimd::bitwise_cast<ibatch>(n_biased[k]) << 23) + ibatch(0x3F800000);
    const fbatch scale = xsimd::bitwise_cast<fbatch>(biased);
    a[k] = e_hi[k] * scale;
    b[k] = e_lo[k] * scale;
  }
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) {
    // q = 1 / (1 + a + b) as q_hi + q_lo.
    const fbatch d = one + a[k];
    const fbatch d_lo = (a[k] - (d - one)) + b[k];  // 1 >= a: Fast2Sum error, exact
    const fbatch q_hi = one / d;
    fbatch residual = xsimd::fma(-q_hi, d, one);
    residual = xsimd::fma(-q_hi, d_lo, residual);
    const fbatch q_lo = q_hi * residual;
    const fbatch positive = q_hi + q_lo;  // x >= 0: 1 / (1 + e)
    const fbatch negative =
        xsimd::fma(a[k], q_hi, xsimd::fma(a[k], q_lo, b[k] * q_hi));  // x < 0: e / (1 + e)
    const fbatch y = xsimd::select(v[k] < fbatch(0.0f), negative, positive);
    // Exact results below FLT_MIN are flushed to +0 (documented). -0x1.5d589ep+6 = -87.33654 is
    // the smallest float whose sigmoid is still >= FLT_MIN.
    v[k] = xsimd::select(v[k] < fbatch(-0x1.5d589ep+6f), fbatch(0.0f), y);
  }
}

template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_batch_fma(xsimd::batch<float, Arch> x) noexcept {
  xsimd::batch<float, Arch> one_vector[1] = {x};
  sigmoid_batches_fma<Arch, 1>(one_vector);
  return one_vector[0];
}

// SSE2 (no fma): evaluate in double, where exp's error (~1 ULP of double) and the two
// roundings are far below float resolution, so one final rounding to float gives <= 0.5 ULP
// plus ~2^-29 relative.
template <class Arch>
inline xsimd::batch<double, Arch> sigmoid_double_lanes(xsimd::batch<double, Arch> v) noexcept {
  using dbatch = xsimd::batch<double, Arch>;
  using lbatch = xsimd::batch<std::int64_t, Arch>;
  // exp(t), t = -|v| clamped to [-87.5, 0], by Cody-Waite reduction (one ln2 constant is exact
  // enough in double: |n| <= 127) and a degree-9 Taylor polynomial (truncation < 3e-12 on
  // |r| <= ln2/2, far below float resolution). 2^n from the 1.5 * 2^52 rounding trick.
  // min's operand order lets NaN flow through (see sigmoid_batches_fma).
  const dbatch one(1.0), magic(0x1.8p52);
  const dbatch t = -xsimd::min(dbatch(87.5), xsimd::abs(v));
  const dbatch n_biased = t * dbatch(1.4426950408889634) + magic;
  const dbatch n = n_biased - magic;
  const dbatch r = t - n * dbatch(0.6931471805599453);
  dbatch p(1.0 / 362880.0);
  p = p * r + dbatch(1.0 / 40320.0);
  p = p * r + dbatch(1.0 / 5040.0);
  p = p * r + dbatch(1.0 / 720.0);
  p = p * r + dbatch(1.0 / 120.0);
  p = p * r + dbatch(1.0 / 24.0);
  p = p * r + dbatch(1.0 / 6.0);
  p = p * r + dbatch(0.5);
  p = p * r + one;
  p = p * r + one;
  const lbatch exponent = (xsimd::bitwise_cast<lbatch>(n_biased) << 52) +
                          lbatch(std::int64_t{0x3FF0000000000000});
  const dbatch e = p * xsimd::bitwise_cast<dbatch>(exponent);
  const dbatch q = one / (one + e);
  return xsimd::select(v < dbatch(0.0), e * q, q);
}

// SSE2 (no fma): evaluate in double, where the exp polynomial's error and the double roundings
// are far below float resolution, so the one final rounding to float gives <= 0.5 ULP plus
// ~2^-29 relative. Floats are widened and narrowed two at a time with cvtps2pd / cvtpd2ps.
template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_batch_double(xsimd::batch<float, Arch> x) noexcept {
  static_assert(std::is_same_v<Arch, xsimd::sse2>, "the double path is the SSE2 fallback");
  using fbatch = xsimd::batch<float, Arch>;
  using dbatch = xsimd::batch<double, Arch>;
  const __m128 xf = x;
  const dbatch low = sigmoid_double_lanes<Arch>(dbatch(_mm_cvtps_pd(xf)));
  const dbatch high = sigmoid_double_lanes<Arch>(dbatch(_mm_cvtps_pd(_mm_movehl_ps(xf, xf))));
  const fbatch y(_mm_movelh_ps(_mm_cvtpd_ps(low), _mm_cvtpd_ps(high)));
  // Exact results below FLT_MIN are flushed to +0, as in the fma path.
  return xsimd::select(x < fbatch(-0x1.5d589ep+6f), fbatch(0.0f), y);
}

template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_batch(xsimd::batch<float, Arch> x) noexcept {
  if constexpr (has_hardware_fma<Arch>) {
    return sigmoid_batch_fma<Arch>(x);
  } else {
    return sigmoid_batch_double<Arch>(x);
  }
}

// s * (1 - s) with one rounding: a hardware fma, or on SSE2 double arithmetic, where s*s (48
// significant bits) and s - s*s are exact, so the conversion back is the only rounding.
template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_slope(xsimd::batch<float, Arch> s) noexcept {
  if constexpr (has_hardware_fma<Arch>) {
    return xsimd::fma(-s, s, s);
  } else {
    using fbatch = xsimd::batch<float, Arch>;
    constexpr std::size_t width = fbatch::size;
    alignas(64) float sf[width];
    s.store_aligned(sf);
    for (std::size_t j = 0; j < width; ++j) {
      const double sd = static_cast<double>(sf[j]);
      sf[j] = static_cast<float>(sd - sd * sd);
    }
    return fbatch::load_aligned(sf);
  }
}

// Applies `body(batch) -> batch` over n elements: full vectors, then the tail as one partial
// vector (masked load and store), so a value's result never depends on its position.
template <class Arch, class Body>
inline void for_each_batch(const float* x, float* y, std::size_t n, Body body) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    body(fbatch::load_unaligned(x + i)).store_unaligned(y + i);
  }
  if (i < n) store_partial<Arch>(body(load_partial<Arch>(x + i, n - i)), y + i, n - i);
}

template <class Arch>
void sigmoid(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  std::size_t done = 0;
  if constexpr (has_hardware_fma<Arch>) {
    // Four vectors in lock step (see sigmoid_batches_fma); the rest one vector at a time.
    constexpr std::size_t lanes = 4;
    for (; done + lanes * width <= n; done += lanes * width) {
      fbatch v[lanes];
#pragma GCC unroll 4
      for (std::size_t k = 0; k < lanes; ++k) v[k] = fbatch::load_unaligned(x + done + k * width);
      sigmoid_batches_fma<Arch, lanes>(v);
#pragma GCC unroll 4
      for (std::size_t k = 0; k < lanes; ++k) v[k].store_unaligned(y + done + k * width);
    }
  }
  for_each_batch<Arch>(x + done, y + done, n - done,
                       [](fbatch v) { return sigmoid_batch<Arch>(v); });
}

template <class Arch>
void sigmoid_derivative(const float* s, float* d, std::size_t n) noexcept {
  for_each_batch<Arch>(s, d, n, [](xsimd::batch<float, Arch> v) { return sigmoid_slope<Arch>(v); });
}

template <class Arch>
void sigmoid_delta(const float* g, const float* s, float* d, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const fbatch sv = fbatch::load_unaligned(s + i);
    (fbatch::load_unaligned(g + i) * sigmoid_slope<Arch>(sv)).store_unaligned(d + i);
  }
  if (i < n) {
    const fbatch sv = load_partial<Arch>(s + i, n - i);
    store_partial<Arch>(load_partial<Arch>(g + i, n - i) * sigmoid_slope<Arch>(sv), d + i, n - i);
  }
}

}  // namespace simdnn::kernels
