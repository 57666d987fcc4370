// lib/kernels/sigmoid.hpp — arch-generic logistic sigmoid and its backprop helpers.
//
// sigmoid<Arch>(x, y, n):            y[i] = 1 / (1 + exp(-x[i])), the accurate default.
//   Max error <= 1.5 ULP wherever the result is a normal float (measured over all 2^32 inputs:
//   1.015 ULP with fma, 0.500 on SSE2); monotone over adjacent inputs; results below FLT_MIN are
//   flushed to +0; exactly 1 where the exact value rounds to 1; NaN -> NaN, +inf -> 1, -inf -> 0;
//   never NaN for a non-NaN input.
// sigmoid_fast<Arch>(x, y, n):       the same function, faster and less accurate: max error
//   <= 2.5 ULP; its output may step back by at most 1 ULP between adjacent inputs (both measured
//   over all 2^32 inputs, README); every other clause as sigmoid's.
// sigmoid_derivative<Arch>(s, d, n): d[i] = s (1 - s) with one rounding: correctly rounded.
// sigmoid_delta<Arch>(g, s, d, n):   d[i] = g[i] * (s (1 - s)): two roundings, relative error <=
// 2^-23. Aliasing: output may equal an input; no partial overlap. Never allocates. Tails (n not a
// multiple of the vector width) run through the same vector code as one partial vector, so a
// value's result does not depend on its position in the array.
//
// Method of the accurate kernel (why it is accurate): with t = -|x|, e = exp(t) in (0, 1] is
// carried as an unevaluated sum a + b = 2^n (e_hi + e_lo): Cody-Waite reduction t = n ln2 + r
// (r rounded once), a degree-4 minimax q in e^r = 1 + r + r^2 q(r), and the rounding of 1 + u
// recovered exactly (Fast2Sum). Then q = 1 / (1 + e) is one division plus an fma Newton
// correction that also absorbs the rounding of 1 + a and the tail b. x >= 0 gives q; x < 0 gives
// e q with its leading product exact inside an fma. The errors that reach the result unrecovered
// (r's and u's roundings, the polynomial, each <= 2^-26 relative) stay well below an ULP; the
// exhaustive test bounds the sum. The naive 1 / (1 + exp(-x)) is worse (~2.5 ULP) because exp's
// own rounding passes straight into the result for x < 0; sigmoid_fast is that composition on
// the same reduction.
//
// Speed (why arrays run in blocks, stage by stage): either kernel's per-vector dependency chain is
// 50-70 cycles deep, longer than the out-of-order window can overlap for more than a few vectors;
// within one stage of a block the vectors are independent shorter chains.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/table.hpp"

namespace simdnn::kernels {

// `if_negative` where the sign bit of `selector` is set, `otherwise` where it is clear (-0.0 and
// NaNs with the sign bit count as negative), on every ISA alike: AVX2's blendv reads the sign
// bit directly; AVX-512 and SSE2 test it as a signed integer (a float compare `x < 0` would
// treat -0.0 and NaN differently and break cross-ISA agreement).
template <class Arch>
inline xsimd::batch<float, Arch> select_by_sign(xsimd::batch<float, Arch> selector,
                                                xsimd::batch<float, Arch> if_negative,
                                                xsimd::batch<float, Arch> otherwise) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    return fbatch(_mm256_blendv_ps(otherwise, if_negative, selector));
  } else if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    const __mmask16 negative =
        _mm512_cmplt_epi32_mask(_mm512_castps_si512(selector), _mm512_setzero_si512());
    return fbatch(_mm512_mask_blend_ps(negative, otherwise, if_negative));
  } else {
    const __m128 negative = _mm_castsi128_ps(_mm_srai_epi32(_mm_castps_si128(selector), 31));
    return fbatch(_mm_or_ps(_mm_and_ps(negative, if_negative), _mm_andnot_ps(negative, otherwise)));
  }
}

// The documented flush: +0 where x < -87.33654 (-0x1.5d589ep+6, the smallest float whose sigmoid
// is still >= FLT_MIN), y elsewhere; NaN x keeps y. One compare and an and-not on AVX2.
template <class Arch>
inline xsimd::batch<float, Arch> flush_below_flt_min(xsimd::batch<float, Arch> x,
                                                     xsimd::batch<float, Arch> y) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch cutoff(-0x1.5d589ep+6f);
  if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    return fbatch(_mm256_andnot_ps(_mm256_cmp_ps(x, cutoff, _CMP_LT_OQ), y));
  } else {
    return xsimd::select(x < cutoff, fbatch(0.0f), y);
  }
}

// The reduction both kernels share: exp(-|x|) = 2^n (1 + u), returned as u (|u| < 0.42, one
// rounding of <= 2^-26) and scale = 2^n.
template <class Arch>
inline void exp_minus_abs_reduced(xsimd::batch<float, Arch> x, xsimd::batch<float, Arch>& u,
                                  xsimd::batch<float, Arch>& scale) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using ibatch = xsimd::batch<std::int32_t, Arch>;
  // Constants are locals, never namespace-scope SIMD objects (SIGILL under dispatch).
  const fbatch magic(0x1.8p23f);
  // t = -|x| (or with the sign bit), clamped at -87.5 so that 2^n stays a normal float; beyond
  // it the result is 0 or 1 anyway. Operand order matters: x86 max returns its *second* operand
  // when either is NaN, so a NaN input flows through every step and comes out NaN. (Beyond the
  // clamp, and for |x| < 2^-63, some intermediates are subnormal and cost microcode assists on
  // Intel cores; a select that avoids them measured 15-20% slower on ordinary inputs.)
  const fbatch t = xsimd::max(fbatch(-87.5f), xsimd::bitwise_or(x, fbatch(-0.0f)));
  // n = round(t log2 e) by the 1.5 * 2^23 trick: the sum's low mantissa bits then hold n itself,
  // which also gives 2^n below without a float-to-int conversion.
  const fbatch n_biased = fused_multiply_add<Arch>(t, fbatch(1.44269504088896341f), magic);
  const fbatch n = n_biased - magic;  // in [-126, 0]
  // r = t - n ln2: the first fma is exact (ln2_hi has 15 significant bits, Sterbenz); adding the
  // ln2_lo term rounds r once (|error| <= 2^-26, i.e. <= 2^-26 relative in e).
  const fbatch r =
      fused_multiply_add<Arch>(n, fbatch(-1.42860682030941723212e-6f),
                               fused_multiply_add<Arch>(n, fbatch(-0.693145751953125f), t));
  // e^r = 1 + r + r^2 q(r), q a degree-4 minimax fit of (e^r - 1 - r) / r^2 on |r| <= ln2/2
  // (relative error of e^r 2^-27.9 with these float coefficients), Estrin's scheme.
  const fbatch r2 = r * r;
  const fbatch q01 = fused_multiply_add<Arch>(fbatch(0x1.555492p-3f), r, fbatch(0x1.fffffcp-2f));
  const fbatch q23 = fused_multiply_add<Arch>(fbatch(0x1.1239a8p-7f), r, fbatch(0x1.5558f0p-5f));
  const fbatch q =
      fused_multiply_add<Arch>(r2, fused_multiply_add<Arch>(r2, fbatch(0x1.6a23c8p-10f), q23), q01);
  u = fused_multiply_add<Arch>(r2, q, r);
  // 2^n: shifting n's bits into the exponent field and adding the bias gives the float 2^n
  // exactly (n + 127 in [1, 127]).
  const ibatch biased = (xsimd::bitwise_cast<ibatch>(n_biased) << 23) + ibatch(0x3F800000);
  scale = xsimd::bitwise_cast<fbatch>(biased);
}

// Stage 1 of the accurate kernel: e = exp(-|x|) in (0, 1] as an unevaluated sum a + b.
template <class Arch>
inline void exp_minus_abs_split(xsimd::batch<float, Arch> x, xsimd::batch<float, Arch>& a,
                                xsimd::batch<float, Arch>& b) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  fbatch u, scale;
  exp_minus_abs_reduced<Arch>(x, u, scale);
  // 1 + u as e_hi + e_lo, exactly (Fast2Sum: 1 >= |u|); the products with 2^n are exact.
  const fbatch e_hi = one + u;
  const fbatch e_lo = u - (e_hi - one);
  a = e_hi * scale;
  b = e_lo * scale;
}

// Stage 2: sigmoid(x) from e = a + b. q = 1 / (1 + e) is one division plus an fma Newton
// correction that absorbs the rounding of 1 + a and the tail b: d + d_lo = 1 + a + b exactly
// (Fast2Sum), q_hi = 1 / d, res = 1 - q_hi (d + d_lo) to first order, so q = q_hi (1 + res).
// x >= 0 gives q; x < 0 gives e q = a q_hi + (a res + b) q_hi, whose leading product stays exact
// inside the last fma. Then the flush below FLT_MIN.
template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_from_split(xsimd::batch<float, Arch> x,
                                                    xsimd::batch<float, Arch> a,
                                                    xsimd::batch<float, Arch> b) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  const fbatch d = one + a;
  const fbatch d_lo = (a - (d - one)) + b;
  const fbatch q_hi = one / d;
  fbatch res = fused_negated_multiply_add<Arch>(q_hi, d, one);
  res = fused_negated_multiply_add<Arch>(q_hi, d_lo, res);
  const fbatch positive = fused_multiply_add<Arch>(q_hi, res, q_hi);
  const fbatch negative =
      fused_multiply_add<Arch>(a, q_hi, fused_multiply_add<Arch>(a, res, b) * q_hi);
  return flush_below_flt_min<Arch>(x, select_by_sign<Arch>(x, negative, positive));
}

// Float-float evaluation (needs a hardware fma) of N vectors in lock step, stage by stage: the
// predictor's form, whose vectors live in registers (lib/kernels/dense.hpp).
template <class Arch, std::size_t N>
inline void sigmoid_batches_fma(xsimd::batch<float, Arch> (&v)[N]) noexcept {
  xsimd::batch<float, Arch> a[N], b[N];
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) exp_minus_abs_split<Arch>(v[k], a[k], b[k]);
#pragma GCC unroll 8
  for (std::size_t k = 0; k < N; ++k) v[k] = sigmoid_from_split<Arch>(v[k], a[k], b[k]);
}

template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_batch_fma(xsimd::batch<float, Arch> x) noexcept {
  xsimd::batch<float, Arch> a, b;
  exp_minus_abs_split<Arch>(x, a, b);
  return sigmoid_from_split<Arch>(x, a, b);
}

// The fast variant (simdnn::sigmoid_fast): the same reduction, then the textbook composition in
// plain float: e = 2^n (1 + u) rounded, and y = e / (1 + e) for x < 0, 1 / (1 + e) for x >= 0
// (the numerator chosen before the division, so the choice is off the dependency chain). The
// roundings of e and 1 + e reach the result unrecovered, hence its larger (measured) error.
template <class Arch>
inline xsimd::batch<float, Arch> exp_minus_abs_rounded(xsimd::batch<float, Arch> x) noexcept {
  xsimd::batch<float, Arch> u, scale;
  exp_minus_abs_reduced<Arch>(x, u, scale);
  return fused_multiply_add<Arch>(u, scale, scale);
}

template <class Arch>
inline xsimd::batch<float, Arch> sigmoid_fast_from_exp(xsimd::batch<float, Arch> x,
                                                       xsimd::batch<float, Arch> e) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  const fbatch numerator = select_by_sign<Arch>(x, e, one);
  return flush_below_flt_min<Arch>(x, numerator / (one + e));
}

// exp(-|v|) in double for |v| clamped to 87.5 (the SSE2 fallbacks of sigmoid and tanh): error
// ~1 ULP of double, far below float resolution. NaN flows through.
template <class Arch>
inline xsimd::batch<double, Arch> exp_minus_abs_double(xsimd::batch<double, Arch> v) noexcept {
  using dbatch = xsimd::batch<double, Arch>;
  using lbatch = xsimd::batch<std::int64_t, Arch>;
  // exp(t), t = -|v| clamped to [-87.5, 0], by Cody-Waite reduction (one ln2 constant is exact
  // enough in double: |n| <= 127) and a degree-9 Taylor polynomial (truncation < 3e-12 on
  // |r| <= ln2/2, far below float resolution). 2^n from the 1.5 * 2^52 rounding trick.
  // min's operand order lets NaN flow through (see exp_minus_abs_reduced).
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
  const lbatch exponent =
      (xsimd::bitwise_cast<lbatch>(n_biased) << 52) + lbatch(std::int64_t{0x3FF0000000000000});
  return p * xsimd::bitwise_cast<dbatch>(exponent);
}

// SSE2 (no fma): evaluate in double, where exp's error (~1 ULP of double) and the two
// roundings are far below float resolution, so one final rounding to float gives <= 0.5 ULP
// plus ~2^-29 relative.
template <class Arch>
inline xsimd::batch<double, Arch> sigmoid_double_lanes(xsimd::batch<double, Arch> v) noexcept {
  using dbatch = xsimd::batch<double, Arch>;
  const dbatch one(1.0);
  const dbatch e = exp_minus_abs_double<Arch>(v);
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
    return fused_negated_multiply_add<Arch>(s, s, s);
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
  // Two vectors per iteration: the bandwidth-bound kernels (derivative) then run at the copy rate.
  for (; i + 2 * width <= n; i += 2 * width) {
    const fbatch first = body(fbatch::load_unaligned(x + i));
    const fbatch second = body(fbatch::load_unaligned(x + i + width));
    first.store_unaligned(y + i);
    second.store_unaligned(y + i + width);
  }
  for (; i + width <= n; i += width) {
    body(fbatch::load_unaligned(x + i)).store_unaligned(y + i);
  }
  if (i < n) store_partial<Arch>(body(load_partial<Arch>(x + i, n - i)), y + i, n - i);
}

// d = body(g, a) over n elements (the backprop steps: an upstream gradient and a saved
// output), full vectors then the tail as one partial vector, like for_each_batch.
template <class Arch, class Body>
inline void for_each_pair(const float* g, const float* a, float* d, std::size_t n,
                          Body body) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    body(fbatch::load_unaligned(g + i), fbatch::load_unaligned(a + i)).store_unaligned(d + i);
  }
  if (i < n) {
    store_partial<Arch>(body(load_partial<Arch>(g + i, n - i), load_partial<Arch>(a + i, n - i)),
                        d + i, n - i);
  }
}

// Runs a kernel split into two stages, `first(x) -> std::array<batch, Parked>` and
// `second(x, parked) -> y`, over arrays: whole vectors in blocks of kSigmoidBlockVectors
// (table.hpp), one stage at a time over the whole block, the parked values in an L1-resident
// stack buffer between the stages; then one shorter block; then the partial tail as
// second(x, first(x)), the same operations, so a value's result never depends on its position.
// Why blocks: one vector's chain is 50-70 cycles deep and the out-of-order core's FP scheduler
// holds only a few such chains at once; within one stage the block's vectors are independent
// shorter chains. Always inlined, so full blocks run loops compiled for the constant
// kSigmoidBlockVectors, which measured faster (GCC 12, -O3) than a run-time count.
template <class Arch, std::size_t Parked, class First, class Second>
[[gnu::always_inline]] inline void run_stages(const float* x, float* y, std::size_t vectors,
                                              First first, Second second) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  alignas(64) float parked[Parked][kSigmoidBlockVectors * width];
  for (std::size_t k = 0; k < vectors; ++k) {
    const std::array<fbatch, Parked> values = first(fbatch::load_unaligned(x + k * width));
    for (std::size_t p = 0; p < Parked; ++p) values[p].store_aligned(parked[p] + k * width);
  }
  // x is read again here, before y[k] is written: in place (x == y) stays correct.
  for (std::size_t k = 0; k < vectors; ++k) {
    std::array<fbatch, Parked> values;
    for (std::size_t p = 0; p < Parked; ++p) {
      values[p] = fbatch::load_aligned(parked[p] + k * width);
    }
    second(fbatch::load_unaligned(x + k * width), values).store_unaligned(y + k * width);
  }
}

template <class Arch, std::size_t Parked, class First, class Second>
[[gnu::always_inline]] inline void for_each_block(const float* x, float* y, std::size_t n,
                                                  First first, Second second) noexcept {
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  constexpr std::size_t full = kSigmoidBlockVectors * width;
  std::size_t done = 0;
  for (; done + full <= n; done += full) {
    run_stages<Arch, Parked>(x + done, y + done, kSigmoidBlockVectors, first, second);
  }
  const std::size_t vectors = (n - done) / width;
  if (vectors != 0) run_stages<Arch, Parked>(x + done, y + done, vectors, first, second);
  done += vectors * width;
  for_each_batch<Arch>(x + done, y + done, n - done,
                       [&](xsimd::batch<float, Arch> v) { return second(v, first(v)); });
}

// The two stages of each staged kernel (for_each_block's `first` and `second`), named so the
// array kernels below and the SGEMM epilogue (lib/kernels/gemm/epilogue.hpp) run the same
// operations on every value. The accurate sigmoid stages only with a hardware fma.
template <class Arch>
struct sigmoid_stages {
  using fbatch = xsimd::batch<float, Arch>;
  using parked = std::array<fbatch, 2>;  // exp(-|x|) as a + b
  static parked first(fbatch v) noexcept {
    parked e;
    exp_minus_abs_split<Arch>(v, e[0], e[1]);
    return e;
  }
  static fbatch second(fbatch v, const parked& e) noexcept {
    return sigmoid_from_split<Arch>(v, e[0], e[1]);
  }
};

template <class Arch>
struct sigmoid_fast_stages {
  using fbatch = xsimd::batch<float, Arch>;
  using parked = std::array<fbatch, 1>;  // exp(-|x|) rounded
  static parked first(fbatch v) noexcept { return parked{exp_minus_abs_rounded<Arch>(v)}; }
  static fbatch second(fbatch v, const parked& e) noexcept {
    return sigmoid_fast_from_exp<Arch>(v, e[0]);
  }
};

template <class Arch>
void sigmoid(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using stages = sigmoid_stages<Arch>;
  if constexpr (has_hardware_fma<Arch>) {
    for_each_block<Arch, 2>(
        x, y, n, [](fbatch v) { return stages::first(v); },
        [](fbatch v, const typename stages::parked& e) { return stages::second(v, e); });
  } else {
    for_each_batch<Arch>(x, y, n, [](fbatch v) { return sigmoid_batch<Arch>(v); });
  }
}

template <class Arch>
void sigmoid_fast(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using stages = sigmoid_fast_stages<Arch>;
  for_each_block<Arch, 1>(
      x, y, n, [](fbatch v) { return stages::first(v); },
      [](fbatch v, const typename stages::parked& e) { return stages::second(v, e); });
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
  for (; i + 2 * width <= n; i += 2 * width) {
    const fbatch first =
        fbatch::load_unaligned(g + i) * sigmoid_slope<Arch>(fbatch::load_unaligned(s + i));
    const fbatch second = fbatch::load_unaligned(g + i + width) *
                          sigmoid_slope<Arch>(fbatch::load_unaligned(s + i + width));
    first.store_unaligned(d + i);
    second.store_unaligned(d + i + width);
  }
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
