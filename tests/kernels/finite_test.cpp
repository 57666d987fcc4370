// tests/kernels/finite_test.cpp — the vector finiteness check (lib/kernels/finite.hpp) on every
// ISA against lib/common/finite.hpp's scalar one: every length 0-40 (every tail of every vector
// width), one special value at every position, and all-finite arrays of edge values.
#include <gtest/gtest.h>

#include <cfloat>
#include <cstddef>
#include <limits>
#include <vector>

#include "common/finite.hpp"
#include "kernels/table.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

class AllFiniteTest : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    table_ = kernels::kernels_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  }
  const kernels::kernel_table* table_ = nullptr;
};

TEST_P(AllFiniteTest, AgreesWithTheScalarCheckEverywhere) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  const float finite[] = {0.0f,    -0.0f,        FLT_MAX,       -FLT_MAX,
                          FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f};
  const float special[] = {inf, -inf, nan, -nan, std::numeric_limits<float>::signaling_NaN()};
  for (std::size_t n = 0; n <= 40; ++n) {
    SCOPED_TRACE(n);
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = finite[i % 8];
    EXPECT_TRUE(table_->all_finite(x.data(), n));
    EXPECT_EQ(table_->all_finite(x.data(), n), detail::all_finite(x.data(), n));
    for (std::size_t at = 0; at < n; ++at) {
      for (float s : special) {
        std::vector<float> y = x;
        y[at] = s;
        ASSERT_FALSE(table_->all_finite(y.data(), n)) << "value " << s << " at " << at;
        ASSERT_FALSE(detail::all_finite(y.data(), n));
      }
    }
    // A special value just past the end is not looked at.
    std::vector<float> z = x;
    z.push_back(nan);
    EXPECT_TRUE(table_->all_finite(z.data(), n));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, AllFiniteTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace simdnn
