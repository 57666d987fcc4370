// Sigmoid, its derivative and the fused backprop delta, on every ISA: the accuracy contract on a
// dense sweep of the float line (every 4099th bit pattern plus all special values), monotonicity
// over runs of adjacent floats, in-place operation and every tail length up to 2 * width + 1.
// The exhaustive run over all 2^32 inputs is sigmoid_exhaustive_test (label "exhaustive").
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "kernels/sigmoid_check.hpp"
#include "simdnn/activation.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::check_sigmoid;
using testing::float_from_bits;
using testing::sigmoid_stats;

class SigmoidTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  }
  const kernels::kernel_table* table_ = nullptr;
};

// The sigmoid contract, for both kernels: the accurate default (sigmoid, <= 1.5 ULP) and
// sigmoid_fast (its own documented bound); every other clause is the same.
class SigmoidKernelTest : public ::testing::TestWithParam<testing::sigmoid_param> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(std::get<0>(GetParam()));
    if (table_ == nullptr) {
      GTEST_SKIP() << isa_name(std::get<0>(GetParam())) << " not supported on this CPU/OS";
    }
    kernel_ = testing::sigmoid_kernel(*table_, std::get<1>(GetParam()));
    max_ulp_ = testing::sigmoid_max_ulp(std::get<1>(GetParam()));
    max_backward_ulp_ = testing::sigmoid_max_backward_ulp(std::get<1>(GetParam()));
    width_ = std::string_view(table_->name) == "avx512" ? 16
             : std::string_view(table_->name) == "avx2" ? 8
                                                        : 4;
  }
  void check(float x, float y, sigmoid_stats& stats) const { check_sigmoid(x, y, stats, max_ulp_); }
  const kernels::kernel_table* table_ = nullptr;
  kernels::unary_fn kernel_ = nullptr;
  double max_ulp_ = 0.0;
  double max_backward_ulp_ = 0.0;
  std::size_t width_ = 0;
};

TEST_P(SigmoidKernelTest, DenseSweepMeetsTheContract) {
  std::vector<float> x;
  for (std::uint64_t bits = 0; bits <= 0xFFFFFFFFu; bits += 4099) {
    x.push_back(float_from_bits(static_cast<std::uint32_t>(bits)));
  }
  std::vector<float> y(x.size());
  kernel_(x.data(), y.data(), x.size());
  sigmoid_stats stats;
  for (std::size_t i = 0; i < x.size(); ++i) check(x[i], y[i], stats);
  std::printf("[ %s ] %llu inputs, max error %.3f ULP at x = %.9g\n", table_->name,
              static_cast<unsigned long long>(stats.checked), stats.max_ulp, stats.worst_input);
  EXPECT_EQ(stats.failures, 0u) << "first failure: sigmoid(" << stats.first_failure
                                << ") = " << stats.first_failure_output;
  EXPECT_LE(stats.max_ulp, max_ulp_);
}

TEST_P(SigmoidKernelTest, SpecialValuesAreExact) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {0.0f,
                                -0.0f,
                                inf,
                                -inf,
                                nan,
                                -nan,
                                FLT_MAX,
                                -FLT_MAX,
                                FLT_MIN,
                                -FLT_MIN,
                                FLT_TRUE_MIN,
                                -FLT_TRUE_MIN,
                                18.0f,
                                88.0f,
                                -88.0f,
                                -87.0f,
                                100.0f,
                                -100.0f,
                                1e30f,
                                -1e30f,
                                4.3e26f,
                                -4.3e26f,
                                float_from_bits(0x7F800001u) /* signalling NaN */};
  std::vector<float> y(x.size());
  kernel_(x.data(), y.data(), x.size());
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 0.5f);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_TRUE(std::isnan(y[4]));
  EXPECT_TRUE(std::isnan(y[5]));
  EXPECT_EQ(y[6], 1.0f);
  EXPECT_EQ(y[7], 0.0f);
  EXPECT_EQ(y[8], 0.5f);
  EXPECT_EQ(y[9], 0.5f);
  EXPECT_EQ(y[12], 1.0f) << "sigmoid(18) = 1 - 1.5e-8 rounds to 1";
  EXPECT_EQ(y[13], 1.0f);
  EXPECT_EQ(y[14], 0.0f) << "sigmoid(-88) = 6e-39 is subnormal: flushed to 0";
  EXPECT_GT(y[15], 0.0f) << "sigmoid(-87) = 1.6e-38 is normal";
  EXPECT_EQ(y[16], 1.0f);
  EXPECT_EQ(y[17], 0.0f);
  EXPECT_EQ(y[18], 1.0f);
  EXPECT_EQ(y[19], 0.0f);
  EXPECT_EQ(y[20], 1.0f) << "no NaN for large finite inputs";
  EXPECT_EQ(y[21], 0.0f);
  EXPECT_TRUE(std::isnan(y[22]));
  sigmoid_stats stats;
  for (std::size_t i = 0; i < x.size(); ++i) check(x[i], y[i], stats);
  EXPECT_EQ(stats.failures, 0u) << "sigmoid(" << stats.first_failure << ")";
}

TEST_P(SigmoidKernelTest, MonotoneOverAdjacentFloats) {
  // Runs of 200k consecutive floats around the regions where the method switches branches.
  for (float start : {-87.5f, -20.0f, -1.0f, -1e-7f, 0.0f, 1e-7f, 0.9f, 15.0f}) {
    std::vector<float> x(200000);
    float value = start;
    for (float& v : x) {
      v = value;
      value = std::nextafter(value, std::numeric_limits<float>::infinity());
    }
    std::vector<float> y(x.size());
    kernel_(x.data(), y.data(), x.size());
    for (std::size_t i = 1; i < y.size(); ++i) {
      ASSERT_LE(testing::backward_step_ulp(y[i - 1], y[i]), max_backward_ulp_)
          << "not monotone between x = " << x[i - 1] << " and " << x[i] << ": " << y[i - 1]
          << " then " << y[i];
    }
  }
}

TEST_P(SigmoidKernelTest, InPlaceAndEveryTailLength) {
  testing::test_rng rng(3);
  for (std::size_t n = 0; n <= 2 * width_ + 1; ++n) {
    std::vector<float> x(n);
    for (float& v : x) v = rng.uniform(-20.0f, 20.0f);
    // Guard elements around the output catch writes past the end.
    std::vector<float> out(n + 2, -7.0f);
    kernel_(x.data(), out.data() + 1, n);
    EXPECT_EQ(out.front(), -7.0f);
    EXPECT_EQ(out.back(), -7.0f);
    std::vector<float> in_place = x;
    kernel_(in_place.data(), in_place.data(), n);
    sigmoid_stats stats;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(in_place[i], out[i + 1]) << "in place differs at n = " << n << ", i = " << i;
      check(x[i], out[i + 1], stats);
    }
    EXPECT_EQ(stats.failures, 0u) << "n = " << n;
  }
}

TEST_P(SigmoidKernelTest, ResultDoesNotDependOnPosition) {
  // Lengths around the accurate kernel's blocks (kSigmoidBlockVectors vectors, processed stage by
  // stage) and the fast kernel's vector pairs: every element must equal the kernel applied to it
  // alone (the single-vector tail path), in place and out of place.
  const std::size_t block = kernels::kSigmoidBlockVectors * width_;
  testing::test_rng rng(5);
  for (std::size_t n : {block - 1, block, block + 1, 2 * block + width_ + 3, 3 * block + 2}) {
    std::vector<float> x(n);
    for (float& v : x) v = rng.uniform(-90.0f, 20.0f);
    std::vector<float> y(n + 1, -7.0f), in_place = x;
    kernel_(x.data(), y.data(), n);
    kernel_(in_place.data(), in_place.data(), n);
    EXPECT_EQ(y[n], -7.0f) << "wrote past the end, n = " << n;
    for (std::size_t i = 0; i < n; ++i) {
      float alone;
      kernel_(&x[i], &alone, 1);
      ASSERT_EQ(y[i], alone) << "n = " << n << ", i = " << i << ", x = " << x[i];
      ASSERT_EQ(in_place[i], alone) << "in place, n = " << n << ", i = " << i;
    }
  }
}

TEST_P(SigmoidTest, DerivativeIsCorrectlyRounded) {
  // Every float in [0, 1] that a sigmoid can output, strided; s(1 - s) exactly in double.
  std::vector<float> s;
  for (std::uint32_t bits = 0; bits <= 0x3F800000u; bits += 97) s.push_back(float_from_bits(bits));
  s.push_back(1.0f);
  std::vector<float> d(s.size());
  table_->sigmoid_derivative(s.data(), d.data(), s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double exact = double(s[i]) - double(s[i]) * double(s[i]);  // exact in double
    ASSERT_EQ(d[i], static_cast<float>(exact)) << "s = " << s[i];
  }
  table_->sigmoid_derivative(s.data(), s.data(), s.size());  // in place
  EXPECT_EQ(s, d);
}

TEST_P(SigmoidTest, DeltaWithinTwoRoundings) {
  testing::test_rng rng(11);
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{1027}}) {
    std::vector<float> g(n), s(n), d(n);
    for (std::size_t i = 0; i < n; ++i) {
      g[i] = rng.uniform(-4.0f, 4.0f);
      s[i] = rng.uniform(0.0f, 1.0f);
    }
    table_->sigmoid_delta(g.data(), s.data(), d.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const double exact = double(g[i]) * (double(s[i]) - double(s[i]) * double(s[i]));
      // Two roundings (s(1-s), then the product), each of relative size <= 2^-24.
      ASSERT_LE(std::fabs(d[i] - exact), 0x1.0000001p-23 * std::fabs(exact))
          << "g=" << g[i] << " s=" << s[i];
    }
    std::vector<float> in_place = g;
    table_->sigmoid_delta(in_place.data(), s.data(), in_place.data(), n);
    EXPECT_EQ(in_place, d) << "d may alias g";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SigmoidTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

INSTANTIATE_TEST_SUITE_P(EveryIsa, SigmoidKernelTest, testing::every_sigmoid_param(),
                         testing::sigmoid_param_name);

TEST(SigmoidApi, RejectsMismatchedSizes) {
  std::vector<float> x(4), y(5);
  EXPECT_THROW(sigmoid(x, y), std::invalid_argument);
  EXPECT_THROW(sigmoid_derivative(x, y), std::invalid_argument);
  EXPECT_THROW(sigmoid_delta(x, y, y), std::invalid_argument);
  std::vector<float> z = {0.0f, 100.0f, -100.0f, 2.0f};
  EXPECT_THROW(sigmoid_fast(x, y), std::invalid_argument);
  sigmoid(z, z);
  EXPECT_EQ(z[0], 0.5f);
  EXPECT_EQ(z[1], 1.0f);
  EXPECT_EQ(z[2], 0.0f);
  std::vector<float> w = {0.0f, 100.0f, -100.0f, 2.0f};
  sigmoid_fast(w, w);
  EXPECT_EQ(w[0], 0.5f);
  EXPECT_EQ(w[1], 1.0f);
  EXPECT_EQ(w[2], 0.0f);
}

}  // namespace
}  // namespace simdnn
