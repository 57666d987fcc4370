// Activation kernels (the accurate sigmoid and sigmoid_fast; tanh beside xsimd::tanh; relu,
// leaky_relu, softmax over rows of 10 and 1000): elements per second at n = 64, 1 Ki,
// 16 Ki, 4 Mi, out of place and in place,
// per ISA, beside the peers measured in the same run: 1 / (1 + xsimd::exp(-x)) on the same ISA
// and a same-size copy, memcpy and a plain vector loop (the bandwidth bound for the derivative and
// delta kernels).
// Inputs span [-20, 20], where every branch of the kernels is exercised.
#include <cstring>
#include <string>

#include "baselines.hpp"
#include "bench_support.hpp"

namespace simdnn::bench {
namespace {

constexpr std::size_t kSizes[] = {64, 1024, 16 * 1024, 4 * 1024 * 1024};

template <class Body>
void run_elementwise(benchmark::State& state, std::size_t n, Body body) {
  state.counters["elements"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
  for (auto _ : state) {
    body();
    benchmark::ClobberMemory();
  }
}

std::string size_name(std::size_t n) {
  if (n >= 1024 * 1024) return std::to_string(n / (1024 * 1024)) + "Mi";
  if (n >= 1024) return std::to_string(n / 1024) + "Ki";
  return std::to_string(n);
}

// "kernel/size/suffix", built by appending: GCC 12 raises a false -Wrestrict on chained
// std::string operator+ with temporaries.
std::string bench_name(const char* kernel, std::size_t n, const char* suffix) {
  std::string name(kernel);
  name.append("/").append(size_name(n)).append("/").append(suffix);
  return name;
}

}  // namespace

void register_sigmoid_benchmarks() {
  for (std::size_t n : kSizes) {
    for (isa which : supported_isas()) {
      const kernels::kernel_table* table = kernels::kernels_for(which);
      const baselines* base = baselines_for(which);
      const char* isa_suffix = table->name;
      benchmark::RegisterBenchmark(
          bench_name("sigmoid", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 5, -20, 20), y(n);
            run_elementwise(st, n, [&] { table->sigmoid(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("sigmoid_inplace", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            // Re-applying sigmoid in place keeps values in (0, 1): same branch mix every pass.
            std::vector<float> x = random_floats(n, 5, -20, 20);
            run_elementwise(st, n, [&] { table->sigmoid(x.data(), x.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("sigmoid_fast", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 5, -20, 20), y(n);
            run_elementwise(st, n, [&] { table->sigmoid_fast(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("sigmoid_fast_inplace", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 5, -20, 20);
            run_elementwise(st, n, [&] { table->sigmoid_fast(x.data(), x.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("xsimd_exp_sigmoid", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 5, -20, 20), y(n);
            run_elementwise(st, n, [&] { base->xsimd_exp_sigmoid(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("vector_copy", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 5, -20, 20), y(n);
            run_elementwise(st, n, [&] { base->vector_copy(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("sigmoid_derivative", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> s = random_floats(n, 6, 0, 1), d(n);
            run_elementwise(st, n, [&] { table->sigmoid_derivative(s.data(), d.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("sigmoid_delta", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> g = random_floats(n, 7, -1, 1), s = random_floats(n, 6, 0, 1), d(n);
            run_elementwise(st, n, [&] { table->sigmoid_delta(g.data(), s.data(), d.data(), n); });
          });
    }
    for (isa which : supported_isas()) {
      const kernels::kernel_table* table = kernels::kernels_for(which);
      const baselines* base = baselines_for(which);
      const char* isa_suffix = table->name;
      benchmark::RegisterBenchmark(
          bench_name("tanh", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 7, -10, 10), y(n);
            run_elementwise(st, n, [&] { table->tanh(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("xsimd_tanh", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 7, -10, 10), y(n);
            run_elementwise(st, n, [&] { base->xsimd_tanh(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("relu", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 7, -10, 10), y(n);
            run_elementwise(st, n, [&] { table->relu(x.data(), y.data(), n); });
          });
      benchmark::RegisterBenchmark(
          bench_name("leaky_relu", n, isa_suffix).c_str(), [=](benchmark::State& st) {
            std::vector<float> x = random_floats(n, 7, -10, 10), y(n);
            run_elementwise(st, n, [&] { table->leaky_relu(x.data(), y.data(), n, 0.01f); });
          });
      // Softmax over rows of 10 (a classifier's output layer) and of 1000 columns.
      for (std::size_t cols : {std::size_t{10}, std::size_t{1000}}) {
        if (n < cols) continue;  // whole rows only (64 floats hold no row of 1000)
        const std::size_t rows = n / cols;
        const std::size_t count = rows * cols;
        const std::string kernel = "softmax_cols" + std::to_string(cols);
        benchmark::RegisterBenchmark(
            bench_name(kernel.c_str(), count, isa_suffix).c_str(), [=](benchmark::State& st) {
              std::vector<float> x = random_floats(count, 7, -10, 10), y(count);
              run_elementwise(st, count, [&] { table->softmax(x.data(), y.data(), rows, cols); });
            });
      }
    }
    benchmark::RegisterBenchmark(
        bench_name("memcpy", n, "baseline").c_str(), [=](benchmark::State& st) {
          std::vector<float> x = random_floats(n, 5, -20, 20), y(n);
          run_elementwise(st, n, [&] { std::memcpy(y.data(), x.data(), n * sizeof(float)); });
        });
  }
}

}  // namespace simdnn::bench
