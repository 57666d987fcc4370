// tanh, relu, leaky_relu and softmax with their backprop steps, on every ISA this CPU runs, each
// against a double-precision reference: tanh's contract on ~1e6 random and special values, odd,
// monotone over dense runs of adjacent floats (the exhaustive proof over all 2^32 inputs is
// tanh_exhaustive_test); relu and leaky_relu exactly; softmax within its ULP bound, normalized,
// overflow-safe and shift-invariant; the deltas against double; in place, every tail length and
// independence of position. Then the public entry points (simdnn/activation.hpp).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/tanh_check.hpp"
#include "simdnn/activation.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::bits_of;
using testing::check_tanh;
using testing::float_from_bits;
using testing::float_ulp;
using testing::sigmoid_stats;
using testing::test_rng;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// softmax's documented bounds (simdnn/activation.hpp): each value within kSoftmaxMaxUlp of the
// exact one (relative, values >= FLT_MIN); the outputs' exact sum within 2^-24 of 1 (summed in
// float: (cols + 2) * 2^-24).
constexpr double kSoftmaxMaxUlp = 4.0;

// Special values every elementwise kernel sees: zeros, infinities, NaNs (payloads, signalling),
// the extremes of the normal and subnormal ranges.
std::vector<float> special_values() {
  return {0.0f,
          -0.0f,
          kInf,
          -kInf,
          kNan,
          -kNan,
          FLT_MAX,
          -FLT_MAX,
          FLT_MIN,
          -FLT_MIN,
          FLT_TRUE_MIN,
          -FLT_TRUE_MIN,
          1e-20f,
          -1e-20f,
          0x1p-12f,
          -0x1p-12f,
          0.55f,
          -0.55f,
          0.5493061f,
          -0.5493061f,
          1.0f,
          -1.0f,
          9.0f,
          -9.0f,
          9.0109129f,
          -9.0109129f,
          9.5f,
          -9.5f,
          20.0f,
          -20.0f,
          44.0f,
          -44.0f,
          88.0f,
          -88.0f,
          1e30f,
          -1e30f,
          float_from_bits(0x7F800001u),
          float_from_bits(0xFFC0BEEFu)};
}

// A random float of any class: a uniformly random bit pattern.
float random_bits_float(test_rng& rng) {
  return float_from_bits(static_cast<std::uint32_t>(rng.next() >> 32));
}

class ActivationTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
    width_ = std::string_view(table_->name) == "avx512" ? 16
             : std::string_view(table_->name) == "avx2" ? 8
                                                        : 4;
  }
  const kernels::kernel_table* table_ = nullptr;
  std::size_t width_ = 0;
};

// Runs `kernel(in, out, n)` out of place with guards around the output and in place, for every
// length up to 2 * width + 1 and lengths around tanh's block, and checks that each output equals
// the kernel applied to that element alone (the single-element tail path) and that nothing past
// the end is written.
template <class Kernel>
void expect_position_independent(Kernel kernel, std::size_t width, float lo, float hi,
                                 std::uint64_t seed) {
  test_rng rng(seed);
  const std::size_t block = kernels::kSigmoidBlockVectors * width;
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 2 * width + 1; ++n) lengths.push_back(n);
  for (std::size_t n : {block - 1, block, block + 1, 2 * block + width + 3}) lengths.push_back(n);
  for (std::size_t n : lengths) {
    std::vector<float> x(n);
    for (float& v : x) v = rng.uniform(lo, hi);
    std::vector<float> out(n + 2, -7.0f), in_place = x;
    kernel(x.data(), out.data() + 1, n);
    kernel(in_place.data(), in_place.data(), n);
    EXPECT_EQ(out.front(), -7.0f) << "wrote before the start, n = " << n;
    EXPECT_EQ(out.back(), -7.0f) << "wrote past the end, n = " << n;
    for (std::size_t i = 0; i < n; ++i) {
      float alone;
      kernel(&x[i], &alone, 1);
      ASSERT_EQ(bits_of(out[i + 1]), bits_of(alone)) << "n = " << n << ", i = " << i;
      ASSERT_EQ(bits_of(in_place[i]), bits_of(alone)) << "in place, n = " << n << ", i = " << i;
    }
  }
}

// ---- tanh ----

TEST_P(ActivationTest, TanhOnRandomAndSpecialValuesMeetsTheContractAndIsOdd) {
  test_rng rng(101);
  std::vector<float> x = special_values();
  for (int i = 0; i < 400000; ++i) x.push_back(rng.uniform(-10.0f, 10.0f));
  for (int i = 0; i < 300000; ++i) x.push_back(rng.uniform(-1.0f, 1.0f));
  for (int i = 0; i < 300000; ++i) x.push_back(random_bits_float(rng));
  std::vector<float> y(x.size()), negated(x.size()), y_negated(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) negated[i] = -x[i];
  table_->tanh(x.data(), y.data(), x.size());
  table_->tanh(negated.data(), y_negated.data(), x.size());
  sigmoid_stats stats;
  for (std::size_t i = 0; i < x.size(); ++i) {
    check_tanh(x[i], y[i], stats);
    if (std::isnan(x[i])) {
      ASSERT_TRUE(std::isnan(y_negated[i]));
    } else {
      ASSERT_EQ(bits_of(y_negated[i]), bits_of(y[i]) ^ 0x80000000u)
          << "tanh(-x) != -tanh(x) at x = " << x[i];
    }
  }
  std::printf("[ %s ] tanh: %llu inputs, max error %.3f ULP at x = %.9g\n", table_->name,
              static_cast<unsigned long long>(stats.checked), stats.max_ulp,
              static_cast<double>(stats.worst_input));
  EXPECT_EQ(stats.failures, 0u) << "first failure: tanh(" << stats.first_failure
                                << ") = " << stats.first_failure_output;
  EXPECT_LE(stats.max_ulp, testing::kTanhMaxUlp);
}

TEST_P(ActivationTest, TanhSpecialValuesAreExact) {
  const std::vector<float> x = {0.0f,    -0.0f,    kInf,         -kInf,         kNan,
                                FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -FLT_TRUE_MIN, FLT_MIN,
                                1e-10f,  -1e-10f,  9.02f,        -9.02f,        100.0f};
  std::vector<float> y(x.size());
  table_->tanh(x.data(), y.data(), x.size());
  EXPECT_EQ(bits_of(y[0]), bits_of(0.0f));
  EXPECT_EQ(bits_of(y[1]), bits_of(-0.0f)) << "tanh(-0) = -0";
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[3], -1.0f);
  EXPECT_TRUE(std::isnan(y[4]));
  EXPECT_EQ(y[5], 1.0f);
  EXPECT_EQ(y[6], -1.0f);
  for (std::size_t i = 7; i <= 11; ++i) {
    EXPECT_EQ(bits_of(y[i]), bits_of(x[i])) << "tanh(x) rounds to x for x = " << x[i];
  }
  EXPECT_EQ(y[12], 1.0f) << "1 - tanh(9.02) < 2^-25 rounds to 1";
  EXPECT_EQ(y[13], -1.0f);
  EXPECT_EQ(y[14], 1.0f);
}

TEST_P(ActivationTest, TanhIsMonotoneOverRunsOfAdjacentFloats) {
  // Runs of 200k consecutive floats: near 0, at the tiny-input edge, across the polynomial's
  // switch at 0.55 (and tanh = 0.5 at 0.5493), in the exp branch, towards saturation; each run
  // also negated (oddness makes it a decreasing run of -x).
  for (float start : {0.0f, 1e-30f, 0x1.fffc0p-13f, 0.3f, 0.499f, 0.5485f, 0.549f, 0.5499f, 1.0f,
                      3.9f, 8.99f, -0.5505f, -1.001f}) {
    std::vector<float> x(200000);
    float value = start;
    for (float& v : x) {
      v = value;
      value = std::nextafter(value, kInf);
    }
    std::vector<float> y(x.size());
    table_->tanh(x.data(), y.data(), x.size());
    for (std::size_t i = 1; i < y.size(); ++i) {
      ASSERT_LE(y[i - 1], y[i]) << "not monotone between x = " << x[i - 1] << " and " << x[i];
    }
  }
}

TEST_P(ActivationTest, TanhInPlaceEveryTailAndIndependentOfPosition) {
  expect_position_independent(table_->tanh, width_, -12.0f, 12.0f, 102);
  expect_position_independent(table_->tanh, width_, -0.6f, 0.6f, 103);
}

TEST_P(ActivationTest, TanhDeltaWithinTwoRoundings) {
  test_rng rng(104);
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{1027}}) {
    std::vector<float> g(n), a(n), d(n);
    for (std::size_t i = 0; i < n; ++i) {
      g[i] = rng.uniform(-4.0f, 4.0f);
      // Saved tanh outputs: anywhere in [-1, 1], a third of them within 2^-10 of ±1, where
      // 1 - a^2 cancels.
      a[i] = i % 3 == 0 ? std::copysign(1.0f - rng.uniform(0.0f, 0x1p-10f), g[i])
                        : rng.uniform(-1.0f, 1.0f);
    }
    a[0] = 1.0f;
    table_->tanh_delta(g.data(), a.data(), d.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const double ad = a[i];
      const double exact = double(g[i]) * (1.0 - ad * ad);  // a * a exact in double
      // Two roundings (1 - a^2, then the product), each of relative size <= 2^-24.
      ASSERT_LE(std::fabs(d[i] - exact), 0x1.0000001p-23 * std::fabs(exact))
          << "g = " << g[i] << ", a = " << a[i];
    }
    std::vector<float> in_g = g, in_a = a;
    table_->tanh_delta(in_g.data(), a.data(), in_g.data(), n);
    table_->tanh_delta(g.data(), in_a.data(), in_a.data(), n);
    EXPECT_EQ(in_g, d) << "d may alias g";
    EXPECT_EQ(in_a, d) << "d may alias a";
  }
}

// ---- relu and leaky_relu ----

TEST_P(ActivationTest, ReluIsExact) {
  test_rng rng(201);
  std::vector<float> x = special_values();
  for (int i = 0; i < 20000; ++i) x.push_back(random_bits_float(rng));
  for (int i = 0; i < 20000; ++i) x.push_back(rng.uniform(-2.0f, 2.0f));
  std::vector<float> y(x.size());
  table_->relu(x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) {
      ASSERT_TRUE(std::isnan(y[i])) << "relu(NaN) is NaN";
    } else {
      const float expected = x[i] > 0.0f ? x[i] : 0.0f;  // +0 for -0 and every negative
      ASSERT_EQ(bits_of(y[i]), bits_of(expected)) << "x = " << x[i];
    }
  }
  expect_position_independent(table_->relu, width_, -3.0f, 3.0f, 202);
}

TEST_P(ActivationTest, ReluDeltaPassesTheGradientWhereTheOutputIsPositive) {
  test_rng rng(203);
  const std::size_t n = 1037;
  std::vector<float> g(n), a(n), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = rng.uniform(-3.0f, 3.0f);
    a[i] = i % 5 == 0 ? 0.0f : i % 7 == 0 ? FLT_TRUE_MIN : rng.uniform(-1.0f, 1.0f);
  }
  table_->relu_delta(g.data(), a.data(), d.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(bits_of(d[i]), bits_of(a[i] > 0.0f ? g[i] : 0.0f)) << "a = " << a[i];
  }
  std::vector<float> in_g = g, in_a = a;
  table_->relu_delta(in_g.data(), a.data(), in_g.data(), n);
  table_->relu_delta(g.data(), in_a.data(), in_a.data(), n);
  EXPECT_EQ(in_g, d);
  EXPECT_EQ(in_a, d);
}

TEST_P(ActivationTest, LeakyReluIsOneRoundingOfTheProduct) {
  test_rng rng(301);
  std::vector<float> x = special_values();
  for (int i = 0; i < 20000; ++i) x.push_back(random_bits_float(rng));
  for (int i = 0; i < 20000; ++i) x.push_back(rng.uniform(-2.0f, 2.0f));
  for (float slope : {0.0f, 0.01f, 0.3f}) {
    std::vector<float> y(x.size());
    table_->leaky_relu(x.data(), y.data(), x.size(), slope);
    for (std::size_t i = 0; i < x.size(); ++i) {
      // The product of two floats is exact in double: one rounding to float is the reference.
      // (Literally z > 0 ? z : slope * z: with slope 0, -inf gives 0 * -inf = NaN.)
      const float expected = x[i] > 0.0f ? x[i] : static_cast<float>(double{slope} * double{x[i]});
      if (std::isnan(expected)) {
        ASSERT_TRUE(std::isnan(y[i])) << "slope " << slope << ", x = " << x[i];
      } else {
        ASSERT_EQ(bits_of(y[i]), bits_of(expected)) << "slope " << slope << ", x = " << x[i];
      }
    }
    expect_position_independent(
        [&](const float* in, float* out, std::size_t n) { table_->leaky_relu(in, out, n, slope); },
        width_, -3.0f, 3.0f, 302);
  }
}

TEST_P(ActivationTest, LeakyReluDeltaScalesTheGradientWhereTheOutputIsNotPositive) {
  test_rng rng(303);
  const std::size_t n = 1037;
  std::vector<float> g(n), a(n), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = rng.uniform(-3.0f, 3.0f);
    a[i] = i % 5 == 0 ? 0.0f : i % 11 == 0 ? -0.0f : rng.uniform(-1.0f, 1.0f);
  }
  for (float slope : {0.0f, 0.01f, 0.3f}) {
    table_->leaky_relu_delta(g.data(), a.data(), d.data(), n, slope);
    for (std::size_t i = 0; i < n; ++i) {
      const float expected = a[i] > 0.0f ? g[i] : static_cast<float>(double{slope} * double{g[i]});
      ASSERT_EQ(bits_of(d[i]), bits_of(expected)) << "slope " << slope << ", a = " << a[i];
    }
    std::vector<float> in_g = g, in_a = a;
    table_->leaky_relu_delta(in_g.data(), a.data(), in_g.data(), n, slope);
    table_->leaky_relu_delta(g.data(), in_a.data(), in_a.data(), n, slope);
    EXPECT_EQ(in_g, d);
    EXPECT_EQ(in_a, d);
  }
}

// ---- softmax ----

// The exact softmax of one row, in double: max-subtracted (x_j - m is exact or within 2^-53 of
// it in double), exp and the sum to ~1e-16 relative.
std::vector<double> softmax_reference(const float* x, std::size_t cols) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < cols; ++j) m = std::max(m, double{x[j]});
  std::vector<double> e(cols);
  double sum = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    e[j] = std::exp(double{x[j]} - m);
    sum += e[j];
  }
  for (double& v : e) v /= sum;
  return e;
}

struct softmax_stats {
  double max_ulp = 0.0;
  double max_sum_error = 0.0;  // |sum_j y_j - 1|, the sum taken in double (exact here)
  std::string worst;
};

// Checks rows x cols outputs against the reference: each value within the ULP bound (relative,
// for exact values >= FLT_MIN; below it, within FLT_MIN), each row's exact sum within 2^-24 of 1.
void check_softmax(const std::vector<float>& x, const std::vector<float>& y, std::size_t cols,
                   softmax_stats& stats) {
  for (std::size_t r = 0; r * cols < x.size(); ++r) {
    const std::vector<double> exact = softmax_reference(x.data() + r * cols, cols);
    double sum = 0.0;
    for (std::size_t j = 0; j < cols; ++j) {
      const float out = y[r * cols + j];
      ASSERT_FALSE(std::isnan(out)) << "row " << r << ", col " << j;
      ASSERT_GE(out, 0.0f);
      sum += out;
      if (exact[j] >= FLT_MIN) {
        const double ulps = std::fabs(out - exact[j]) / float_ulp(exact[j]);
        if (ulps > stats.max_ulp) {
          stats.max_ulp = ulps;
          stats.worst =
              "cols " + std::to_string(cols) + ", x_j = " + std::to_string(x[r * cols + j]);
        }
        ASSERT_LE(ulps, kSoftmaxMaxUlp) << "cols " << cols << ", row " << r << ", col " << j << ": "
                                        << out << " vs exact " << exact[j];
      } else {
        ASSERT_LE(std::fabs(out - exact[j]), FLT_MIN) << "cols " << cols << ", col " << j;
      }
    }
    stats.max_sum_error = std::max(stats.max_sum_error, std::fabs(sum - 1.0));
    ASSERT_LE(std::fabs(sum - 1.0), 0x1.0001p-24) << "cols " << cols << ", row " << r;
  }
}

TEST_P(ActivationTest, SoftmaxWithinItsBoundAndNormalized) {
  test_rng rng(401);
  softmax_stats stats;
  for (std::size_t cols : {1, 3, 10, 17, 100}) {
    // Logit scales from nearly uniform rows to rows where most values underflow, and rows of
    // large nearly equal logits.
    for (float scale : {0.1f, 3.0f, 10.0f, 40.0f, 100.0f, 1000.0f}) {
      for (float offset : {0.0f, -50.0f, 1e4f}) {
        const std::size_t rows = 40;
        std::vector<float> x(rows * cols), y(x.size());
        for (float& v : x) v = offset + rng.uniform(-scale, scale);
        table_->softmax(x.data(), y.data(), rows, cols);
        check_softmax(x, y, cols, stats);
        if (::testing::Test::HasFatalFailure()) return;
        // Each row alone gives the same bits as within the block of rows (rows of odd width start
        // at every lane), and in place gives the same bits.
        for (std::size_t r = 0; r < rows; ++r) {
          std::vector<float> alone(cols);
          table_->softmax(x.data() + r * cols, alone.data(), 1, cols);
          for (std::size_t j = 0; j < cols; ++j) {
            ASSERT_EQ(bits_of(alone[j]), bits_of(y[r * cols + j])) << "row " << r;
          }
        }
        std::vector<float> in_place = x;
        table_->softmax(in_place.data(), in_place.data(), rows, cols);
        ASSERT_EQ(in_place, y) << "in place, cols " << cols;
      }
    }
  }
  std::printf("[ %s ] softmax: max error %.3f ULP (%s); max |row sum - 1| %.3g = %.3f * 2^-24\n",
              table_->name, stats.max_ulp, stats.worst.c_str(), stats.max_sum_error,
              stats.max_sum_error * 0x1p24);
}

TEST_P(ActivationTest, SoftmaxOfOneColumnIsOne) {
  std::vector<float> x = {0.0f, -5.0f, 1e30f, -FLT_MAX, FLT_MAX, 3.0f}, y(x.size());
  table_->softmax(x.data(), y.data(), x.size(), 1);
  for (float v : y) EXPECT_EQ(v, 1.0f);
}

TEST_P(ActivationTest, SoftmaxIsOverflowSafe) {
  struct row_case {
    std::vector<float> x, expected;
  };
  const std::vector<row_case> cases = {
      {{3e38f, -3e38f, 0.0f}, {1.0f, 0.0f, 0.0f}},
      {{FLT_MAX, FLT_MAX}, {0.5f, 0.5f}},
      {{-FLT_MAX, -FLT_MAX, -FLT_MAX, -FLT_MAX}, {0.25f, 0.25f, 0.25f, 0.25f}},
      {{FLT_MAX, -FLT_MAX}, {1.0f, 0.0f}},
      {{-FLT_MAX, 0.0f, -FLT_MAX}, {0.0f, 1.0f, 0.0f}},
      {{1e30f, 1e30f, -1e30f, 0.0f}, {0.5f, 0.5f, 0.0f, 0.0f}},
  };
  for (const row_case& c : cases) {
    std::vector<float> y(c.x.size());
    table_->softmax(c.x.data(), y.data(), 1, c.x.size());
    for (std::size_t j = 0; j < y.size(); ++j) {
      EXPECT_EQ(y[j], c.expected[j]) << "x[0] = " << c.x[0] << ", j = " << j;
    }
  }
}

TEST_P(ActivationTest, SoftmaxOfAShiftedRowIsTheSame) {
  // Logits on a grid of 1/16 in [-20, 20], shifted by constants for which every x + c and every
  // difference is exact in float: the inputs to exp are then the same, and so is every output bit.
  test_rng rng(402);
  for (std::size_t cols : {3, 10, 17, 100}) {
    std::vector<float> x(cols), y(cols);
    for (float& v : x) v = std::round(rng.uniform(-320.0f, 320.0f)) / 16.0f;
    table_->softmax(x.data(), y.data(), 1, cols);
    for (float c : {4096.0f, -4096.0f, 65536.0f, -0.5f}) {
      std::vector<float> shifted(cols), ys(cols);
      for (std::size_t j = 0; j < cols; ++j) {
        shifted[j] = x[j] + c;
        ASSERT_EQ(double{shifted[j]}, double{x[j]} + double{c}) << "shift not exact";
      }
      table_->softmax(shifted.data(), ys.data(), 1, cols);
      for (std::size_t j = 0; j < cols; ++j) {
        ASSERT_EQ(bits_of(ys[j]), bits_of(y[j])) << "cols " << cols << ", shift " << c;
      }
    }
  }
}

TEST_P(ActivationTest, SoftmaxDeltaIsTheJacobianProduct) {
  test_rng rng(403);
  for (std::size_t cols : {1, 3, 10, 17, 100}) {
    const std::size_t rows = 20;
    std::vector<float> z(rows * cols), a(rows * cols), g(rows * cols), d(rows * cols);
    for (float& v : z) v = rng.uniform(-5.0f, 5.0f);
    for (float& v : g) v = rng.uniform(-1.0f, 1.0f);
    table_->softmax(z.data(), a.data(), rows, cols);
    table_->softmax_delta(g.data(), a.data(), d.data(), rows, cols);
    for (std::size_t r = 0; r < rows; ++r) {
      long double dot = 0.0L, magnitude = 0.0L;
      for (std::size_t k = 0; k < cols; ++k) {
        dot += static_cast<long double>(g[r * cols + k]) * a[r * cols + k];
        magnitude += std::fabs(static_cast<long double>(g[r * cols + k]) * a[r * cols + k]);
      }
      for (std::size_t j = 0; j < cols; ++j) {
        const std::size_t i = r * cols + j;
        const long double exact = static_cast<long double>(a[i]) * (g[i] - dot);
        // One rounding to float, plus the double dot product's error (<= cols 2^-53 of the
        // magnitudes) carried through a_j.
        const double allowed =
            0.5 * float_ulp(static_cast<double>(exact)) +
            static_cast<double>(a[i] * (magnitude + std::fabs(g[i])) * cols) * 0x1p-52;
        ASSERT_LE(std::fabs(static_cast<double>(d[i] - exact)), allowed)
            << "cols " << cols << ", row " << r << ", col " << j;
      }
    }
    std::vector<float> in_g = g, in_a = a;
    table_->softmax_delta(in_g.data(), a.data(), in_g.data(), rows, cols);
    table_->softmax_delta(g.data(), in_a.data(), in_a.data(), rows, cols);
    EXPECT_EQ(in_g, d) << "d may alias g";
    EXPECT_EQ(in_a, d) << "d may alias a";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, ActivationTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

// ---- The public entry points ----

TEST(ActivationApi, RejectsMismatchedSizesAndBadArguments) {
  std::vector<float> x(6), y(5);
  EXPECT_THROW(simdnn::tanh(x, y), std::invalid_argument);
  EXPECT_THROW(relu(x, y), std::invalid_argument);
  EXPECT_THROW(leaky_relu(x, y, 0.01f), std::invalid_argument);
  EXPECT_THROW(softmax(x, y, 3), std::invalid_argument);
  std::vector<float> z(6);
  EXPECT_THROW(leaky_relu(x, z, -0.1f), std::invalid_argument);
  EXPECT_THROW(leaky_relu(x, z, kNan), std::invalid_argument);
  EXPECT_THROW(leaky_relu(x, z, kInf), std::invalid_argument);
  EXPECT_THROW(softmax(x, z, 0), std::invalid_argument);
  EXPECT_THROW(softmax(x, z, 4), std::invalid_argument) << "6 values are not rows of 4";
  EXPECT_NO_THROW(softmax(x, z, 3));
  EXPECT_NO_THROW(softmax(std::span<const float>(), std::span<float>(), 3));
}

TEST(ActivationApi, ComputesInPlaceThroughTheActiveIsa) {
  std::vector<float> t = {0.0f, -0.0f, 100.0f, -100.0f, 0.5f};
  simdnn::tanh(t, t);
  EXPECT_EQ(bits_of(t[1]), bits_of(-0.0f));
  EXPECT_EQ(t[2], 1.0f);
  EXPECT_EQ(t[3], -1.0f);
  EXPECT_NEAR(t[4], std::tanh(0.5), 1e-7);
  std::vector<float> r = {-1.0f, -0.0f, 2.0f};
  relu(r, r);
  EXPECT_EQ(bits_of(r[0]), bits_of(0.0f));
  EXPECT_EQ(bits_of(r[1]), bits_of(0.0f));
  EXPECT_EQ(r[2], 2.0f);
  std::vector<float> l = {-2.0f, 3.0f};
  leaky_relu(l, l, 0.5f);
  EXPECT_EQ(l[0], -1.0f);
  EXPECT_EQ(l[1], 3.0f);
  std::vector<float> s = {1.0f, 1.0f, 3e38f, -3e38f};
  softmax(s, s, 2);
  EXPECT_EQ(s[0], 0.5f);
  EXPECT_EQ(s[1], 0.5f);
  EXPECT_EQ(s[2], 1.0f);
  EXPECT_EQ(s[3], 0.0f);
}

}  // namespace
}  // namespace simdnn
