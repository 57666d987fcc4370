// lib/kernels/tanh.hpp — arch-generic hyperbolic tangent and its backprop step.
//
// tanh<Arch>(x, y, n):        y = tanh(x). Contract: simdnn/activation.hpp. Max error <= 2 ULP
//   (measured over all 2^32 inputs: 0.818 ULP on AVX2 and AVX-512, at x = 0.5325918; 0.500 on
//   SSE2; tanh_exhaustive_test); monotone over every pair of adjacent floats; odd (tanh(-x) ==
//   -tanh(x) bitwise); tanh(x) == x bitwise where the exact value rounds to x (tiny |x|,
//   subnormals, ±0 with its sign); exactly ±1 where the exact value rounds to ±1 (|x| > 9.01); NaN
//   -> NaN, ±inf -> ±1. One template for every FMA ISA, so AVX2 and AVX-512 agree bit for bit.
// tanh_delta<Arch>(g, a, d, n): d = g * (1 - a^2) from the saved output a, with 1 - a^2 as one
//   fma (correctly rounded; SSE2: in double, see tanh_slope), then the product: two roundings.
// Aliasing: y may equal x, d may equal g or a; no partial overlap. Never allocates. Tails run as
// one partial vector through the same code, so a value's result does not depend on its position.
//
// Method (why it is accurate). Everything is computed on |x|; the sign is or-ed back at the end,
// which makes the kernel odd by construction and keeps -0 and the sign of tiny inputs.
//   |x| < 0.55: tanh(x) = x + x^3 P(x^2), P a degree-4 fit (Lawson's minimax, relative error of
//     tanh 2^-27.8 with these float coefficients) evaluated as fma(x, x^2 P, x): the correction
//     x^2 P is at most 11% of the result, so its own roundings (x^2, P, the product: a few 2^-24
//     relative) reach the result as <= ~0.3 ULP, plus the final rounding. For tiny |x| the fma
//     returns x itself; x^2 is taken of max(|x|, 2^-40), so no intermediate is ever subnormal.
//   |x| >= 0.55: with e = exp(-2|x|) <= 1/3 carried as the float-float pair a + b from the
//     sigmoid's exp_minus_abs_split (2|x| is exact), tanh = (1 - e) / (1 + e): numerator
//     n + n_lo and denominator d + d_lo formed exactly (Fast2Sum against 1), q_hi = 1 / d, the
//     residual res = 1 - q_hi (d + d_lo) by two fmas, and the quotient
//     fma(n, q_hi, (n res + n_lo) q_hi), whose leading product stays exact inside the fma. What
//     reaches the result unrecovered is exp's relative error (<= ~2^-25), scaled by
//     2e / (1 + e)^2 <= 0.375: <= ~0.2 ULP, plus the final rounding.
//   |x| is clamped to [0.55, 9.5] before the exp: beyond 9.01 the exact value rounds to 1, and
//     the clamp keeps every intermediate normal (an exp of -2|x| near the sigmoid's -87.5 clamp
//     has subnormal tails, which cost microcode assists).
// The switch at 0.55 sits where both branches are within ~0.8 ULP and adjacent outputs differ by
// >= 0.75 ULP; monotonicity there and everywhere is checked over all 2^32 inputs
// (tanh_exhaustive_test).
// SSE2 (no fma): the same two branches evaluated in double (a degree-6 fit, exp in double), one
// final rounding to float.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"

namespace simdnn::kernels {

// Below this |x| the polynomial, at or above it the exp branch. Both kernels use it.
inline constexpr float kTanhSwitch = 0.55f;
// Beyond this |x| the exact tanh rounds to 1 (1 - tanh(9.5) = 1.1e-8 < 2^-25): the exp branch's
// input is clamped here.
inline constexpr float kTanhClamp = 9.5f;

// |x| for a float batch (clears the sign bit; NaN stays NaN).
template <class Arch>
inline xsimd::batch<float, Arch> tanh_magnitude(xsimd::batch<float, Arch> x) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  return xsimd::bitwise_andnot(fbatch(-0.0f), x);  // xsimd 8: ~first & second
}

// Stage 1: e = exp(-2|x|) as a + b, |x| clamped to [kTanhSwitch, kTanhClamp]. Operand order:
// x86 max and min return their second operand when either is NaN, so NaN flows through.
template <class Arch>
inline void tanh_exp_split(xsimd::batch<float, Arch> x, xsimd::batch<float, Arch>& a,
                           xsimd::batch<float, Arch>& b) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch clamped =
      xsimd::min(fbatch(kTanhClamp), xsimd::max(fbatch(kTanhSwitch), tanh_magnitude<Arch>(x)));
  exp_minus_abs_split<Arch>(clamped + clamped, a, b);
}

// Stage 2: both branches, the choice, the sign.
template <class Arch>
inline xsimd::batch<float, Arch> tanh_from_split(xsimd::batch<float, Arch> x,
                                                 xsimd::batch<float, Arch> a,
                                                 xsimd::batch<float, Arch> b) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  const fbatch ax = tanh_magnitude<Arch>(x);
  // |x| < kTanhSwitch: |x| + |x| (x^2 P(x^2)), P in Estrin's form.
  const fbatch s = xsimd::max(fbatch(0x1p-40f), ax);
  const fbatch z = s * s;
  const fbatch z2 = z * z;
  const fbatch p01 = fused_multiply_add<Arch>(fbatch(0x1.110d26p-3f), z, fbatch(-0x1.55554ap-2f));
  const fbatch p23 = fused_multiply_add<Arch>(fbatch(0x1.593d06p-6f), z, fbatch(-0x1.b9287ap-5f));
  const fbatch p =
      fused_multiply_add<Arch>(z2, fused_multiply_add<Arch>(z2, fbatch(-0x1.9b3046p-8f), p23), p01);
  const fbatch small = fused_multiply_add<Arch>(ax, z * p, ax);
  // |x| >= kTanhSwitch: (1 - e) / (1 + e) with e = a + b.
  const fbatch d = one + a;
  const fbatch d_lo = (a - (d - one)) + b;
  const fbatch n = one - a;
  const fbatch n_lo = ((one - n) - a) - b;
  const fbatch q_hi = one / d;
  fbatch res = fused_negated_multiply_add<Arch>(q_hi, d, one);
  res = fused_negated_multiply_add<Arch>(q_hi, d_lo, res);
  const fbatch large =
      fused_multiply_add<Arch>(n, q_hi, fused_multiply_add<Arch>(n, res, n_lo) * q_hi);
  // NaN compares false and takes the exp branch, which carried it.
  const fbatch magnitude = xsimd::select(ax < fbatch(kTanhSwitch), small, large);
  return xsimd::bitwise_or(magnitude, xsimd::bitwise_and(x, fbatch(-0.0f)));
}

template <class Arch>
inline xsimd::batch<float, Arch> tanh_batch_fma(xsimd::batch<float, Arch> x) noexcept {
  xsimd::batch<float, Arch> a, b;
  tanh_exp_split<Arch>(x, a, b);
  return tanh_from_split<Arch>(x, a, b);
}

// SSE2 (no fma): both branches in double, where every rounding and both approximations (the
// degree-6 fit: 2^-40 relative; exp: ~2^-52) are far below float resolution; the conversion to
// float is the one rounding that matters.
template <class Arch>
inline xsimd::batch<double, Arch> tanh_double_lanes(xsimd::batch<double, Arch> ax) noexcept {
  using dbatch = xsimd::batch<double, Arch>;
  const dbatch one(1.0);
  const dbatch z = ax * ax;
  dbatch p(-0x1.dfbd93d7afccep-11);
  p = p * z + dbatch(0x1.b78e3f5d3bd76p-9);
  p = p * z + dbatch(-0x1.208df8ceabcadp-7);
  p = p * z + dbatch(0x1.662efb7435c2fp-6);
  p = p * z + dbatch(-0x1.ba1a7537c6b5ep-5);
  p = p * z + dbatch(0x1.11110e763d9fp-3);
  p = p * z + dbatch(-0x1.555555516815cp-2);
  const dbatch small = ax + ax * (z * p);
  // min's operand order lets NaN through.
  const dbatch clamped = xsimd::min(dbatch(double{kTanhClamp}), ax);
  const dbatch e = exp_minus_abs_double<Arch>(clamped + clamped);
  const dbatch large = (one - e) / (one + e);
  return xsimd::select(ax < dbatch(double{kTanhSwitch}), small, large);
}

template <class Arch>
inline xsimd::batch<float, Arch> tanh_batch_double(xsimd::batch<float, Arch> x) noexcept {
  static_assert(std::is_same_v<Arch, xsimd::sse2>, "the double path is the SSE2 fallback");
  using fbatch = xsimd::batch<float, Arch>;
  using dbatch = xsimd::batch<double, Arch>;
  const __m128 ax = tanh_magnitude<Arch>(x);
  const dbatch low = tanh_double_lanes<Arch>(dbatch(_mm_cvtps_pd(ax)));
  const dbatch high = tanh_double_lanes<Arch>(dbatch(_mm_cvtps_pd(_mm_movehl_ps(ax, ax))));
  const fbatch magnitude(_mm_movelh_ps(_mm_cvtpd_ps(low), _mm_cvtpd_ps(high)));
  return xsimd::bitwise_or(magnitude, xsimd::bitwise_and(x, fbatch(-0.0f)));
}

template <class Arch>
inline xsimd::batch<float, Arch> tanh_batch(xsimd::batch<float, Arch> x) noexcept {
  if constexpr (has_hardware_fma<Arch>) {
    return tanh_batch_fma<Arch>(x);
  } else {
    return tanh_batch_double<Arch>(x);
  }
}

// tanh's two stages (fma ISAs), shared with the SGEMM epilogue as the sigmoid's (sigmoid.hpp).
template <class Arch>
struct tanh_stages {
  using fbatch = xsimd::batch<float, Arch>;
  using parked = std::array<fbatch, 2>;  // exp(-2|x|) as a + b
  static parked first(fbatch v) noexcept {
    parked e;
    tanh_exp_split<Arch>(v, e[0], e[1]);
    return e;
  }
  static fbatch second(fbatch v, const parked& e) noexcept {
    return tanh_from_split<Arch>(v, e[0], e[1]);
  }
};

template <class Arch>
void tanh(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using stages = tanh_stages<Arch>;
  if constexpr (has_hardware_fma<Arch>) {
    // Stage by stage over blocks, as the sigmoid (sigmoid.hpp, for_each_block).
    for_each_block<Arch, 2>(
        x, y, n, [](fbatch v) { return stages::first(v); },
        [](fbatch v, const typename stages::parked& e) { return stages::second(v, e); });
  } else {
    for_each_batch<Arch>(x, y, n, [](fbatch v) { return tanh_batch<Arch>(v); });
  }
}

// 1 - a^2 with one rounding: a hardware fma; on SSE2 double arithmetic, where a*a (48
// significant bits) is exact and so is 1 - a*a wherever a^2 >= 2^-6; below that 1 - a^2 > 0.98
// and the double result is within 2^-53 of it before the conversion to float.
template <class Arch>
inline xsimd::batch<float, Arch> tanh_slope(xsimd::batch<float, Arch> a) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (has_hardware_fma<Arch>) {
    return fused_negated_multiply_add<Arch>(a, a, fbatch(1.0f));
  } else {
    constexpr std::size_t width = fbatch::size;
    alignas(64) float af[width];
    a.store_aligned(af);
    for (std::size_t j = 0; j < width; ++j) {
      const double ad = static_cast<double>(af[j]);
      af[j] = static_cast<float>(1.0 - ad * ad);
    }
    return fbatch::load_aligned(af);
  }
}

template <class Arch>
void tanh_delta(const float* g, const float* a, float* d, std::size_t n) noexcept {
  for_each_pair<Arch>(g, a, d, n, [](xsimd::batch<float, Arch> gv, xsimd::batch<float, Arch> av) {
    return gv * tanh_slope<Arch>(av);
  });
}

}  // namespace simdnn::kernels
