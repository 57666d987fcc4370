// sgemm throughput (FLOPS = 2 m n k per call) on squares 64..2048 and the shapes a network
// uses, per ISA, plus the measured FMA peak per ISA so each figure can be read as % of peak.
// Names: sgemm/<op_a><op_b>/<m>x<k>x<n>/<isa>-<MRxNR>; shapes are given as (m, k, n) like the
// issues' tables. Operands are reused across iterations, so they are in cache for small shapes.
// dense_forward/<m>x<k>x<n>/{fused,unfused}/<isa>-<MRxNR>: a sigmoid layer's forward pass of the
// MNIST-shaped network (Z := X W + b, A := f(Z) in place, as the network runs it), fused
// (sgemm_bias_activation: bias and activation in the SGEMM's stores) and unfused (bias broadcast,
// sgemm with beta = 1, the sigmoid pass): same bits, so the pair's ratio is the fusion's gain.
#include <algorithm>
#include <string>

#include "simdnn/sgemm.hpp"

#include "baselines.hpp"
#include "bench_support.hpp"

namespace simdnn::bench {
namespace {

struct shape {
  bool ta, tb;
  std::size_t m, k, n;
};

void run_sgemm(benchmark::State& state, const kernels::kernel_table* table, shape s) {
  const std::size_t a_size = s.m * s.k, b_size = s.k * s.n;
  std::vector<float> a = random_floats(a_size, 1, -1, 1);
  std::vector<float> b = random_floats(b_size, 2, -1, 1);
  std::vector<float> c(s.m * s.n, 0.0f);
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table->blocking, s.m, s.n, s.k));
  const std::size_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
  for (auto _ : state) {
    table->sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n,
                 workspace.data());
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(s.m) * double(s.n) * double(s.k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void run_dense_forward(benchmark::State& state, const kernels::kernel_table* table, shape s,
                       bool fused) {
  std::vector<float> x = random_floats(s.m * s.k, 1, 0, 1);
  std::vector<float> w = random_floats(s.k * s.n, 2, -0.1f, 0.1f);
  std::vector<float> b = random_floats(s.n, 3, -1, 1);
  std::vector<float> z(s.m * s.n, 0.0f);
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table->blocking, s.m, s.n, s.k));
  for (auto _ : state) {
    if (fused) {
      table->sgemm_bias_activation(s.m, s.n, s.k, x.data(), s.k, w.data(), s.n, b.data(), z.data(),
                                   s.n, z.data(), s.n, activation::sigmoid, 0.0f, workspace.data());
    } else {
      for (std::size_t r = 0; r < s.m; ++r) std::copy(b.begin(), b.end(), z.begin() + r * s.n);
      table->sgemm(false, false, s.m, s.n, s.k, 1.0f, x.data(), s.k, w.data(), s.n, 1.0f, z.data(),
                   s.n, workspace.data());
      table->sigmoid(z.data(), z.data(), s.m * s.n);
    }
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(s.m) * double(s.n) * double(s.k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void run_peak(benchmark::State& state, const baselines* base) {
  constexpr std::size_t iterations = 1 << 16;
  for (auto _ : state) benchmark::DoNotOptimize(base->fma_peak(iterations));
  state.counters["FLOPS"] =
      benchmark::Counter(double(iterations) * double(base->fma_peak_flops_per_iteration),
                         benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<shape> shapes() {
  std::vector<shape> list;
  for (std::size_t size : {64, 128, 256, 512, 1024, 2048})
    list.push_back({false, false, size, size, size});
  for (std::size_t size : {512, 1024}) {
    list.push_back({true, false, size, size, size});
    list.push_back({false, true, size, size, size});
  }
  // Network shapes (m = batch, k = inputs, n = outputs) and the two backprop forms of each:
  // dW = X^T delta is TN with (k, m, n); dX = delta W^T is NT with (m, n, k).
  const shape forward[] = {{false, false, 150, 4, 10},    {false, false, 150, 10, 3},
                           {false, false, 150, 3, 1},     {false, false, 1, 4, 10},
                           {false, false, 1, 64, 64},     {false, false, 256, 784, 256},
                           {false, false, 256, 256, 128}, {false, false, 256, 128, 10}};
  for (const shape& f : forward) {
    list.push_back(f);
    list.push_back({true, false, f.k, f.m, f.n});
    list.push_back({false, true, f.m, f.n, f.k});
  }
  return list;
}

// The public entry point with the opt-in pool of `threads` (1 = the default, no pool).
void run_sgemm_threads(benchmark::State& state, std::size_t size, std::size_t threads) {
  std::vector<float> a = random_floats(size * size, 1, -1, 1);
  std::vector<float> b = random_floats(size * size, 2, -1, 1);
  std::vector<float> c(size * size, 0.0f);
  std::vector<std::byte> workspace(sgemm_workspace_size(size, size, size));
  set_sgemm_threads(threads);
  for (auto _ : state) {
    sgemm(op::none, op::none, size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f,
          c.data(), size, workspace);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_sgemm_threads(1);
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(size) * double(size) * double(size),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_sgemm_benchmarks() {
  // Threads: wall-clock rate (UseRealTime), the active ISA, 1 and 2 threads in the same run.
  for (std::size_t size : {1024, 2048}) {
    for (std::size_t threads : {1, 2}) {
      const std::string name = "sgemm_threads/NN/" + std::to_string(size) + "^3/" +
                               isa_name(active_isa()) + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), [size, threads](benchmark::State& state) {
        run_sgemm_threads(state, size, threads);
      })->UseRealTime();
    }
  }
  for (isa which : supported_isas()) {
    const baselines* base = baselines_for(which);
    benchmark::RegisterBenchmark((std::string("peak/fma/") + isa_name(which)).c_str(),
                                 [base](benchmark::State& state) { run_peak(state, base); });
  }
  for (const shape& s : shapes()) {
    for (isa which : supported_isas()) {
      const kernels::kernel_table* table = kernels::kernels_for(which);
      const std::string name = std::string("sgemm/") + (s.ta ? "T" : "N") + (s.tb ? "T" : "N") +
                               "/" + std::to_string(s.m) + "x" + std::to_string(s.k) + "x" +
                               std::to_string(s.n) + "/" + table->name + "-" + table->gemm_tile;
      benchmark::RegisterBenchmark(
          name.c_str(), [table, s](benchmark::State& state) { run_sgemm(state, table, s); });
    }
  }
  const shape layers[] = {
      {false, false, 256, 784, 256}, {false, false, 256, 256, 128}, {false, false, 256, 128, 10}};
  for (const shape& s : layers) {
    for (isa which : supported_isas()) {
      const kernels::kernel_table* table = kernels::kernels_for(which);
      for (bool fused : {true, false}) {
        const std::string name = "dense_forward/" + std::to_string(s.m) + "x" +
                                 std::to_string(s.k) + "x" + std::to_string(s.n) + "/" +
                                 (fused ? "fused/" : "unfused/") + table->name + "-" +
                                 table->gemm_tile;
        benchmark::RegisterBenchmark(name.c_str(), [table, s, fused](benchmark::State& state) {
          run_dense_forward(state, table, s, fused);
        });
      }
    }
  }
}

}  // namespace simdnn::bench
