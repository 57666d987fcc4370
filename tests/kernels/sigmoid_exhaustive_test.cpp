// Every one of the 2^32 float inputs through sigmoid and sigmoid_fast, on every ISA this CPU runs,
// checked against the contract in sigmoid_check.hpp (each kernel with its own error bound) and for
// monotonicity over adjacent floats. Label "exhaustive"; 70-110 s per kernel and ISA in Release
// on two cores. Prints the measured maximum error, which docs/kernels.md quotes.
#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "kernels/sigmoid_check.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::sigmoid_stats;

class SigmoidExhaustiveTest : public ::testing::TestWithParam<testing::sigmoid_param> {};

// Adjacent floats in bit order: for x >= +0 (bits below 2^31) a larger bit pattern is a larger
// value, so the output must not decrease; for x <= -0 it is a smaller value, so the output must not
// increase. Records every backward step and the largest; NaN inputs are skipped.
struct monotone_checker {
  bool have_previous = false;
  float previous = 0.0f;
  std::uint64_t backward_steps = 0;
  double largest_step_ulp = 0.0;
  float largest_step_at = 0.0f;

  void next(std::uint32_t bits, float x, float y) {
    if (bits == 0x80000000u) have_previous = false;  // crossing from the positive half
    if (std::isnan(x)) return;
    if (have_previous) {
      // In increasing-x order the earlier output is `previous` on the positive half, `y` on the
      // negative half (where bit order runs towards -inf).
      const double step = bits >= 0x80000000u ? testing::backward_step_ulp(y, previous)
                                              : testing::backward_step_ulp(previous, y);
      if (step > 0.0) ++backward_steps;
      if (step > largest_step_ulp) {
        largest_step_ulp = step;
        largest_step_at = x;
      }
    }
    previous = y;
    have_previous = true;
  }
};

TEST_P(SigmoidExhaustiveTest, EveryFloatMeetsTheContract) {
  const kernels::kernel_table* table = kernels::kernels_for(std::get<0>(GetParam()));
  if (table == nullptr) {
    GTEST_SKIP() << isa_name(std::get<0>(GetParam())) << " not supported on this CPU/OS";
  }
  const bool fast = std::get<1>(GetParam()) == testing::sigmoid_kind::fast;
  const kernels::unary_fn kernel = testing::sigmoid_kernel(*table, std::get<1>(GetParam()));
  const double max_ulp = testing::sigmoid_max_ulp(std::get<1>(GetParam()));

  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<sigmoid_stats> per_thread(threads);
  std::vector<monotone_checker> monotone(threads);
  std::vector<std::thread> workers;
  constexpr std::uint64_t total = std::uint64_t{1} << 32;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      // Counted in locals and stored once at the end: the per-thread slots share cache lines,
      // and updating them per element made the threads fight over those lines.
      sigmoid_stats local_stats;
      monotone_checker local_monotone;
      constexpr std::size_t chunk = 1 << 16;
      std::vector<float> x(chunk + 1), y(chunk + 1);
      const std::uint64_t begin = total / threads * t;
      const std::uint64_t end = t + 1 == threads ? total : total / threads * (t + 1);
      // Each range also evaluates the float just before it, so the monotonicity check spans the
      // boundary between two threads' ranges.
      if (begin > 0) {
        const auto bits = static_cast<std::uint32_t>(begin - 1);
        float before = testing::float_from_bits(bits), out;
        kernel(&before, &out, 1);
        local_monotone.next(bits, before, out);
      }
      for (std::uint64_t base = begin; base < end; base += chunk) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, end - base));
        for (std::size_t i = 0; i < n; ++i) {
          x[i] = testing::float_from_bits(static_cast<std::uint32_t>(base + i));
        }
        kernel(x.data(), y.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
          testing::check_sigmoid(x[i], y[i], local_stats, max_ulp);
          local_monotone.next(static_cast<std::uint32_t>(base + i), x[i], y[i]);
        }
      }
      per_thread[t] = local_stats;
      monotone[t] = local_monotone;
    });
  }
  for (std::thread& worker : workers) worker.join();
  sigmoid_stats stats;
  for (const sigmoid_stats& s : per_thread) stats.merge(s);
  monotone_checker steps;
  for (const monotone_checker& m : monotone) {
    steps.backward_steps += m.backward_steps;
    if (m.largest_step_ulp > steps.largest_step_ulp) {
      steps.largest_step_ulp = m.largest_step_ulp;
      steps.largest_step_at = m.largest_step_at;
    }
  }

  std::printf(
      "[ %s%s ] all %llu floats: max error %.4f ULP at x = %.9g; %llu violations; "
      "%llu backward steps between adjacent inputs, largest %.2f ULP\n",
      table->name, fast ? " fast" : "", static_cast<unsigned long long>(stats.checked),
      stats.max_ulp, stats.worst_input, static_cast<unsigned long long>(stats.failures),
      static_cast<unsigned long long>(steps.backward_steps), steps.largest_step_ulp);
  EXPECT_EQ(stats.checked, total);
  EXPECT_EQ(stats.failures, 0u) << "first: sigmoid(" << stats.first_failure
                                << ") = " << stats.first_failure_output;
  EXPECT_LE(stats.max_ulp, max_ulp);
  EXPECT_LE(steps.largest_step_ulp, testing::sigmoid_max_backward_ulp(std::get<1>(GetParam())))
      << "at x = " << steps.largest_step_at;
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SigmoidExhaustiveTest, testing::every_sigmoid_param(),
                         testing::sigmoid_param_name);

}  // namespace
}  // namespace simdnn
