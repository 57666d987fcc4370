// tests/kernels/sigmoid_check.hpp — the sigmoid contract as a checker, shared by the dense sweep
// (default run) and the exhaustive run over all 2^32 floats (label "exhaustive").
//
// Contract (simdnn/activation.hpp): NaN -> NaN; a non-NaN input never gives NaN and stays in
// [0, 1]; where the exact result is a normal float the error is <= 1.5 ULP; where the exact result
// is below FLT_MIN the output is +0 (documented flush); where the exact value rounds to 1 the
// output is exactly 1.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>

#include "test_support.hpp"

namespace simdnn::testing {

inline float float_from_bits(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Exact sigmoid in double: relative error ~1e-16, negligible next to a float ULP (6e-8).
inline double sigmoid_reference(float x) {
  const double xd = x;
  // Below 2^-20 the series 1/2 + x/4 - x^3/48 is exact to far below double's resolution of the
  // float ULP; using it skips exp for the ~half of all floats that are tiny.
  if (std::fabs(xd) < 0x1p-20) return 0.5 + 0.25 * xd;
  if (xd >= 0) return 1.0 / (1.0 + std::exp(-xd));
  const double e = std::exp(xd);
  return e / (1.0 + e);
}

// The spacing of floats at |value| (for value in [2^e, 2^(e+1)): 2^(e-23)), FLT_MIN's below it.
inline double float_ulp(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude < FLT_MIN) return std::ldexp(1.0, -149);
  int exponent;
  std::frexp(magnitude, &exponent);  // magnitude = f * 2^exponent, f in [0.5, 1)
  return std::ldexp(1.0, exponent - 24);
}

struct sigmoid_stats {
  double max_ulp = 0.0;
  float worst_input = 0.0f;
  std::uint64_t checked = 0;
  std::uint64_t failures = 0;
  float first_failure = 0.0f;
  float first_failure_output = 0.0f;

  void merge(const sigmoid_stats& other) {
    if (other.max_ulp > max_ulp) {
      max_ulp = other.max_ulp;
      worst_input = other.worst_input;
    }
    if (failures == 0 && other.failures != 0) {
      first_failure = other.first_failure;
      first_failure_output = other.first_failure_output;
    }
    checked += other.checked;
    failures += other.failures;
  }
};

inline constexpr double kSigmoidMaxUlp = 1.5;
// sigmoid_fast's documented bounds (simdnn/activation.hpp): max error, and how far its output may
// step backwards between adjacent inputs (the accurate kernel: not at all).
inline constexpr double kSigmoidFastMaxUlp = 2.5;
inline constexpr double kSigmoidFastMaxBackwardUlp = 1.0;

// Checks one (input, output) pair against the contract; records error statistics.
inline void check_sigmoid(float x, float y, sigmoid_stats& stats, double max_ulp = kSigmoidMaxUlp) {
  ++stats.checked;
  bool ok;
  if (std::isnan(x)) {
    ok = std::isnan(y);
  } else if (std::isnan(y) || y < 0.0f || y > 1.0f) {
    ok = false;
  } else if (x >= 18.0f) {
    // The exact value is above 1 - e^-18 > 1 - 2^-25, the midpoint below 1: it rounds to 1. This
    // and the next shortcut skip exp for almost half of all floats; the exhaustive run's cost is
    // the reference, not the kernel.
    ok = y == 1.0f;
  } else if (x <= -88.0f) {
    ok = y == 0.0f && !std::signbit(y);  // exact <= e^-88 < FLT_MIN: the documented flush
  } else {
    const double exact = sigmoid_reference(x);
    if (exact < FLT_MIN) {
      ok = y == 0.0f && !std::signbit(y);
    } else if (static_cast<float>(exact) == 1.0f) {
      ok = y == 1.0f;
    } else {
      const double ulps = std::fabs(double(y) - exact) / float_ulp(exact);
      if (ulps > stats.max_ulp) {
        stats.max_ulp = ulps;
        stats.worst_input = x;
      }
      ok = ulps <= max_ulp;
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

// The two sigmoid kernels share this contract, each with its own error bound.
enum class sigmoid_kind { accurate, fast };
using sigmoid_param = std::tuple<isa, sigmoid_kind>;

inline kernels::unary_fn sigmoid_kernel(const kernels::kernel_table& table, sigmoid_kind kind) {
  return kind == sigmoid_kind::fast ? table.sigmoid_fast : table.sigmoid;
}

inline double sigmoid_max_ulp(sigmoid_kind kind) {
  return kind == sigmoid_kind::fast ? kSigmoidFastMaxUlp : kSigmoidMaxUlp;
}

inline double sigmoid_max_backward_ulp(sigmoid_kind kind) {
  return kind == sigmoid_kind::fast ? kSigmoidFastMaxBackwardUlp : 0.0;
}

// Monotonicity over adjacent inputs: how far `later` (the output for the next larger input) falls
// below `earlier`, in ULPs of `earlier`; 0 when it does not fall.
inline double backward_step_ulp(float earlier, float later) {
  return later < earlier ? (double(earlier) - double(later)) / float_ulp(earlier) : 0.0;
}

inline void PrintTo(sigmoid_kind kind, std::ostream* os) {
  *os << (kind == sigmoid_kind::fast ? "fast" : "accurate");
}

inline std::string sigmoid_param_name(const ::testing::TestParamInfo<sigmoid_param>& param_info) {
  return std::string(isa_name(std::get<0>(param_info.param))) +
         (std::get<1>(param_info.param) == sigmoid_kind::fast ? "_fast" : "_accurate");
}

inline auto every_sigmoid_param() {
  return ::testing::Combine(::testing::ValuesIn(all_isas()),
                            ::testing::Values(sigmoid_kind::accurate, sigmoid_kind::fast));
}

}  // namespace simdnn::testing
