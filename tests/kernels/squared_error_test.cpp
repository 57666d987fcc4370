// tests/kernels/squared_error_test.cpp — the squared error's kernel (lib/kernels/squared_error.hpp)
// on every ISA against its documented order evaluated here in scalars: the sum in eight partial
// sums in double (partial l over i = l, l + 8, ...; a product, then an add), then 0 + partial 0 +
// ... + partial 7; the deltas scale (y - t) in float, times y (1 - y) from the public
// sigmoid_delta when the output is a sigmoid. Every comparison is bitwise, lengths cover every
// tail of an eight-term round and of a vector (SSE2 4, AVX2 8, AVX-512 16) around Iris's 450;
// the data are chosen so the eight-lane order and a plain running sum differ (else the test
// could not tell them apart).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/activation.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::test_rng;

double eight_lane_reference(const std::vector<float>& y, const std::vector<float>& t,
                            std::size_t n) {
  double partial[8] = {};
  for (std::size_t i = 0; i < n; ++i) {
    const double e = static_cast<double>(y[i]) - static_cast<double>(t[i]);
    const double square = e * e;  // -ffp-contract=off: no fma with the add below
    partial[i % 8] = partial[i % 8] + square;
  }
  double sum = 0.0;
  for (double p : partial) sum += p;
  return sum;
}

double running_sum(const std::vector<float>& y, const std::vector<float>& t, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = static_cast<double>(y[i]) - static_cast<double>(t[i]);
    sum += e * e;
  }
  return sum;
}

class SquaredErrorTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  }
  const kernels::kernel_table* table_ = nullptr;
};

TEST_P(SquaredErrorTest, SumAndDeltasFollowTheDocumentedOrder) {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 40; ++n) lengths.push_back(n);
  for (std::size_t n = 440; n <= 460; ++n) lengths.push_back(n);
  bool order_matters = false;
  for (std::size_t n : lengths) {
    SCOPED_TRACE(n);
    test_rng rng(n + 1);
    // Sigmoid-like outputs in (0, 1) against one-hot-like and arbitrary targets, magnitudes spread
    // so the order of the double sum shows in its last bits.
    std::vector<float> y(n), t(n);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = rng.uniform(0.0f, 1.0f) * (i % 5 == 0 ? 1e-4f : 1.0f);
      t[i] = i % 3 == 0 ? 1.0f : rng.uniform(-0.001f, 0.001f);
    }
    const float scale = 2.0f / 3.0f;
    const double expected = eight_lane_reference(y, t, n);
    order_matters = order_matters || running_sum(y, t, n) != expected;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(
                  table_->squared_error(y.data(), t.data(), n, nullptr, scale, false)),
              std::bit_cast<std::uint64_t>(expected));
    for (bool sigmoid_output : {false, true}) {
      SCOPED_TRACE(sigmoid_output);
      // A sentinel past the end must survive: the tail is written partially.
      std::vector<float> delta(n + 1, -7.0f);
      const double sum =
          table_->squared_error(y.data(), t.data(), n, delta.data(), scale, sigmoid_output);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(sum), std::bit_cast<std::uint64_t>(expected));
      std::vector<float> expected_delta(n);
      for (std::size_t i = 0; i < n; ++i) expected_delta[i] = scale * (y[i] - t[i]);
      if (sigmoid_output)
        table_->sigmoid_delta(expected_delta.data(), y.data(), expected_delta.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(std::bit_cast<std::uint32_t>(delta[i]),
                  std::bit_cast<std::uint32_t>(expected_delta[i]))
            << "delta " << i;
      }
      EXPECT_EQ(delta[n], -7.0f) << "wrote past the end";
    }
  }
  EXPECT_TRUE(order_matters) << "the data do not tell the eight-lane order from a running sum";
}

// Any alignment: y and t one float past an aligned start (the SSE2 form once loaded pairs of
// floats as a double, which needs 8-byte alignment), with inf and NaN outputs flowing through
// the sum as in the scalar order.
TEST_P(SquaredErrorTest, UnalignedArraysAndNonFiniteOutputsKeepTheOrder) {
  constexpr std::size_t n = 37;
  test_rng rng(99);
  std::vector<float> y_storage(n + 1), t_storage(n + 1);
  for (std::size_t i = 0; i <= n; ++i) {
    y_storage[i] = rng.uniform(-2.0f, 2.0f);
    t_storage[i] = rng.uniform(-1.0f, 1.0f);
  }
  const std::vector<float> y(y_storage.begin() + 1, y_storage.end());
  const std::vector<float> t(t_storage.begin() + 1, t_storage.end());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(table_->squared_error(
                y_storage.data() + 1, t_storage.data() + 1, n, nullptr, 1.0f, false)),
            std::bit_cast<std::uint64_t>(eight_lane_reference(y, t, n)));
  std::vector<float> diverged = y;
  diverged[5] = std::numeric_limits<float>::infinity();
  const double with_inf = table_->squared_error(diverged.data(), t.data(), n, nullptr, 1.0f, false);
  EXPECT_EQ(with_inf, std::numeric_limits<double>::infinity());
  diverged[9] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(
      std::isnan(table_->squared_error(diverged.data(), t.data(), n, nullptr, 1.0f, false)));
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SquaredErrorTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace simdnn
