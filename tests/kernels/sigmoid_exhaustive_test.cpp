// Every one of the 2^32 float inputs through sigmoid, on every ISA this CPU runs, checked against
// the contract in sigmoid_check.hpp. Label "exhaustive"; about a minute per ISA in Release on two
// cores. Prints the measured maximum error, which the README quotes.
#include <algorithm>
#include <thread>
#include <vector>

#include "kernels/sigmoid_check.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using testing::sigmoid_stats;

class SigmoidExhaustiveTest : public ::testing::TestWithParam<isa> {};

TEST_P(SigmoidExhaustiveTest, EveryFloatMeetsTheContract) {
  const kernels::kernel_table* table = kernels::kernels_for(GetParam());
  if (table == nullptr) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";

  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<sigmoid_stats> per_thread(threads);
  std::vector<std::thread> workers;
  constexpr std::uint64_t total = std::uint64_t{1} << 32;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      constexpr std::size_t chunk = 1 << 16;
      std::vector<float> x(chunk), y(chunk);
      const std::uint64_t begin = total / threads * t;
      const std::uint64_t end = t + 1 == threads ? total : total / threads * (t + 1);
      for (std::uint64_t base = begin; base < end; base += chunk) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, end - base));
        for (std::size_t i = 0; i < n; ++i) {
          x[i] = testing::float_from_bits(static_cast<std::uint32_t>(base + i));
        }
        table->sigmoid(x.data(), y.data(), n);
        for (std::size_t i = 0; i < n; ++i) testing::check_sigmoid(x[i], y[i], per_thread[t]);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  sigmoid_stats stats;
  for (const sigmoid_stats& s : per_thread) stats.merge(s);

  std::printf("[ %s ] all %llu floats: max error %.4f ULP at x = %.9g; %llu violations\n",
              table->name, static_cast<unsigned long long>(stats.checked), stats.max_ulp,
              stats.worst_input, static_cast<unsigned long long>(stats.failures));
  EXPECT_EQ(stats.checked, total);
  EXPECT_EQ(stats.failures, 0u) << "first: sigmoid(" << stats.first_failure << ") = "
                                << stats.first_failure_output;
  EXPECT_LE(stats.max_ulp, testing::kSigmoidMaxUlp);
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, SigmoidExhaustiveTest, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace simdnn
