// Every one of the 2^32 float inputs through tanh, on every ISA this CPU runs: each non-negative
// x (every bit pattern below 2^31) and its negation -x go through the kernel; -x's output must be
// the negation of x's, bit for bit (odd), x's output must meet the contract in tanh_check.hpp
// (<= 2 ULP, exact x for tiny x, exact 1 at saturation, NaN -> NaN) and must never fall below the
// previous x's (monotone over adjacent floats; oddness carries both to the negative half). Label
// "exhaustive"; ~15-30 s per ISA in Release on two cores. Prints the measured maximum error,
// which lib/kernels/tanh.hpp and simdnn/activation.hpp quote.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "kernels/tanh_check.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::bits_of;
using testing::sigmoid_stats;

class TanhExhaustiveTest : public ::testing::TestWithParam<isa> {};

struct tanh_tally {
  sigmoid_stats stats;
  std::uint64_t not_odd = 0;
  float first_not_odd = 0.0f;
  std::uint64_t backward_steps = 0;
  float first_backward = 0.0f;
};

TEST_P(TanhExhaustiveTest, EveryFloatMeetsTheContract) {
  const kernels::kernel_table* table = kernels::kernels_for(GetParam());
  if (table == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
  const kernels::unary_fn kernel = table->tanh;

  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<tanh_tally> tallies(threads);
  std::vector<std::thread> workers;
  constexpr std::uint64_t half = std::uint64_t{1} << 31;  // the non-negative bit patterns
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      tanh_tally local;  // stored once at the end: the slots share cache lines
      constexpr std::size_t chunk = 1 << 16;
      std::vector<float> x(chunk), y(chunk), nx(chunk), ny(chunk);
      const std::uint64_t begin = half / threads * t;
      const std::uint64_t end = t + 1 == threads ? half : half / threads * (t + 1);
      // The output for the float just before the range, so the monotonicity check spans the
      // boundary between two threads' ranges.
      float previous = -1.0f;
      if (begin > 0) {
        const float before = testing::float_from_bits(static_cast<std::uint32_t>(begin - 1));
        kernel(&before, &previous, 1);
      }
      for (std::uint64_t base = begin; base < end; base += chunk) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, end - base));
        for (std::size_t i = 0; i < n; ++i) {
          x[i] = testing::float_from_bits(static_cast<std::uint32_t>(base + i));
          nx[i] = -x[i];
        }
        kernel(x.data(), y.data(), n);
        kernel(nx.data(), ny.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
          testing::check_tanh(x[i], y[i], local.stats);
          if (std::isnan(x[i])) {
            if (!std::isnan(ny[i])) ++local.not_odd;
            continue;
          }
          if (bits_of(ny[i]) != (bits_of(y[i]) ^ 0x80000000u)) {
            if (local.not_odd++ == 0) local.first_not_odd = x[i];
          }
          if (y[i] < previous) {
            if (local.backward_steps++ == 0) local.first_backward = x[i];
          }
          previous = y[i];
        }
      }
      tallies[t] = local;
    });
  }
  for (std::thread& worker : workers) worker.join();
  tanh_tally all;
  for (const tanh_tally& tally : tallies) {
    all.stats.merge(tally.stats);
    if (all.not_odd == 0) all.first_not_odd = tally.first_not_odd;
    all.not_odd += tally.not_odd;
    if (all.backward_steps == 0) all.first_backward = tally.first_backward;
    all.backward_steps += tally.backward_steps;
  }
  std::printf(
      "[ %s ] all 2^32 floats (x and -x for each x >= +0): max error %.4f ULP at x = %.9g (%a); "
      "%llu violations; %llu outputs not odd; %llu backward steps between adjacent inputs\n",
      table->name, all.stats.max_ulp, static_cast<double>(all.stats.worst_input),
      static_cast<double>(all.stats.worst_input),
      static_cast<unsigned long long>(all.stats.failures),
      static_cast<unsigned long long>(all.not_odd),
      static_cast<unsigned long long>(all.backward_steps));
  EXPECT_EQ(all.stats.checked, half);
  EXPECT_EQ(all.stats.failures, 0u)
      << "first: tanh(" << all.stats.first_failure << ") = " << all.stats.first_failure_output;
  EXPECT_LE(all.stats.max_ulp, testing::kTanhMaxUlp);
  EXPECT_EQ(all.not_odd, 0u) << "first at x = " << all.first_not_odd;
  EXPECT_EQ(all.backward_steps, 0u) << "first at x = " << all.first_backward;
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, TanhExhaustiveTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace simdnn
