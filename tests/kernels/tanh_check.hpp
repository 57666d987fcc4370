// tests/kernels/tanh_check.hpp — the tanh contract as a checker, shared by activation_test (random
// and special values) and the exhaustive run over all 2^32 floats (label "exhaustive").
//
// Contract (simdnn/activation.hpp): NaN -> NaN; a non-NaN input never gives NaN; error <= 2 ULP
// against the exact tanh; exactly x where the exact value rounds to x (tiny |x|: subnormals, ±0
// with its sign); exactly ±1 where the exact value rounds to ±1; odd and monotone (checked by the
// callers, which see pairs of outputs).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/sigmoid_check.hpp"

namespace simdnn::testing {

inline constexpr double kTanhMaxUlp = 2.0;

inline std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Checks one (input, output) pair; statistics as the sigmoid's (sigmoid_stats).
inline void check_tanh(float x, float y, sigmoid_stats& stats) {
  ++stats.checked;
  bool ok;
  const float ax = std::fabs(x);
  if (std::isnan(x)) {
    ok = std::isnan(y);
  } else if (std::isnan(y) || std::fabs(y) > 1.0f || std::signbit(y) != std::signbit(x)) {
    ok = false;
  } else if (ax < 0x1p-12f) {
    // |tanh(x) - x| < |x|^3 / 3 <= |x| 2^-24 / 3, below half the spacing under |x| (|x| 2^-25 at
    // a power of two): the exact value rounds to x. Skips the reference for half of all floats.
    ok = bits_of(y) == bits_of(x);
  } else if (ax >= 9.1f) {
    // 1 - tanh(9.1) = 2.5e-8 < 2^-25, the midpoint below 1: rounds to ±1.
    ok = y == std::copysign(1.0f, x);
  } else {
    const double exact = std::tanh(static_cast<double>(x));
    const float rounded = static_cast<float>(exact);
    if (rounded == x) {
      ok = bits_of(y) == bits_of(x);
    } else if (std::fabs(rounded) == 1.0f) {
      ok = y == rounded;
    } else {
      const double ulps = std::fabs(double(y) - exact) / float_ulp(exact);
      if (ulps > stats.max_ulp) {
        stats.max_ulp = ulps;
        stats.worst_input = x;
      }
      ok = ulps <= kTanhMaxUlp;
    }
  }
  if (!ok) {
    if (stats.failures == 0) {
      stats.first_failure = x;
      stats.first_failure_output = y;
    }
    ++stats.failures;
  }
}

}  // namespace simdnn::testing
