// bench/nn/network_bench.cpp — simdnn::network training and inference, the four tasks:
//   network/iris_epoch/<widths>/<isa>         one full-batch epoch on Iris (150 rows): train_batch
//   network/train_step/784-256-128-10/b256/<isa>   one batch-256 training step (MNIST-shaped)
//   network/train_step/784-256-128-10/b256/threads:2/<isa>   the same step with
//       network_options::threads = 2 (wall clock: the workers' time is not the caller's CPU time)
//   network/forward/784-256-128-10/b256/<isa>      the same network's forward pass on the batch
//       (its dense layers fused: bias and activation in the SGEMM's stores)
//   network/infer/<widths>/<isa>              single-sample forward latency
// Counters: `samples` (rows per second) and, for the MNIST step, `FLOPS` (multiply-adds counted
// as two). The ISA is the active one (best supported, capped by SIMDNN_ISA); run the binary with
// SIMDNN_ISA=sse2 etc. to time the others. Data: data/iris.csv when SIMDNN_DATA_DIR names its
// folder, else a fixed-seed synthetic set of the same shape; everything else is fixed-seed.
// Inference feeds its input through DoNotOptimize every iteration and clobbers memory after, so
// a small forward pass cannot be hoisted out of the timing loop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/network_setups.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/network.hpp"
#include "simdnn/random.hpp"

namespace {

using simdnn::network;
using simdnn::network_options;

using simdnn::bench::iris_set;
using simdnn::bench::load_iris_or_synthetic;
using simdnn::bench::widths_name;

// Fixed-seed data: simdnn::splitmix64, uniform floats in [lo, hi).
using bench_rng = simdnn::splitmix64;

void iris_epoch(benchmark::State& state, std::vector<std::size_t> widths) {
  const iris_set iris = load_iris_or_synthetic();
  const std::size_t outputs = widths.back();
  network net(widths, simdnn::bench::iris_options(outputs));
  const std::vector<float> targets = simdnn::bench::iris_targets(iris, outputs);
  const float learning_rate = simdnn::bench::iris_learning_rate(outputs);
  for (auto _ : state) {
    const auto loss = net.train_batch(iris.features, targets, 150, learning_rate);
    if (!loss) {
      state.SkipWithError(simdnn::status_message(loss.error));
      break;
    }
    benchmark::DoNotOptimize(loss.value);
  }
  state.counters["samples"] = benchmark::Counter(static_cast<double>(state.iterations()) * 150,
                                                 benchmark::Counter::kIsRate);
}

void mnist_step(benchmark::State& state, std::size_t threads) {
  const simdnn::bench::mnist_batch data;
  const std::vector<std::size_t>& widths = data.widths;
  constexpr std::size_t batch = simdnn::bench::mnist_batch::batch;
  network_options options = simdnn::bench::mnist_batch::options();
  options.threads = threads;
  network net(widths, options);
  const std::vector<float>&x = data.inputs, &t = data.targets;
  for (auto _ : state) {
    const auto loss = net.train_batch(x, t, batch, data.learning_rate);
    if (!loss) {
      state.SkipWithError(simdnn::status_message(loss.error));
      break;
    }
    benchmark::DoNotOptimize(loss.value);
  }
  // Forward X W and backward A^T delta for every layer, delta W^T for all but the first.
  double macs_per_row = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    macs_per_row += static_cast<double>(widths[l] * widths[l + 1]) * (l == 0 ? 2 : 3);
  }
  const auto rows = static_cast<double>(state.iterations()) * batch;
  state.counters["samples"] = benchmark::Counter(rows, benchmark::Counter::kIsRate);
  state.counters["FLOPS"] =
      benchmark::Counter(2 * macs_per_row * rows, benchmark::Counter::kIsRate);
}

void mnist_forward(benchmark::State& state) {
  const simdnn::bench::mnist_batch data;
  constexpr std::size_t batch = simdnn::bench::mnist_batch::batch;
  network net(data.widths, simdnn::bench::mnist_batch::options());
  for (auto _ : state) {
    const auto y = net.forward(data.inputs, batch);
    if (!y) {
      state.SkipWithError(simdnn::status_message(y.error));
      break;
    }
    benchmark::DoNotOptimize(y.value.data());
    benchmark::ClobberMemory();
  }
  double macs_per_row = 0;
  for (std::size_t l = 0; l + 1 < data.widths.size(); ++l) {
    macs_per_row += static_cast<double>(data.widths[l] * data.widths[l + 1]);
  }
  const auto rows = static_cast<double>(state.iterations()) * batch;
  state.counters["samples"] = benchmark::Counter(rows, benchmark::Counter::kIsRate);
  state.counters["FLOPS"] =
      benchmark::Counter(2 * macs_per_row * rows, benchmark::Counter::kIsRate);
}

void infer_one(benchmark::State& state, std::vector<std::size_t> widths) {
  network_options options = widths.back() == 1 ? simdnn::bench::iris_options(1) : network_options{};
  options.max_batch = 1;
  network net(widths, options);
  bench_rng rng(7);
  std::vector<float> x(widths.front());
  for (float& v : x) v = rng.uniform(0.0f, 1.0f);
  for (auto _ : state) {
    float* input = x.data();
    benchmark::DoNotOptimize(input);
    const auto y = net.forward({input, x.size()}, 1);
    benchmark::DoNotOptimize(y.value.data());
    benchmark::ClobberMemory();
  }
  state.counters["samples"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Registered during static initialization, before the driver (bench/main.cpp) parses flags, so
// the names carry the ISA this process dispatches to.
[[maybe_unused]] const bool registered = [] {
  const std::string isa = simdnn::isa_name(simdnn::active_isa());
  for (const std::vector<std::size_t>& widths :
       {std::vector<std::size_t>{4, 10, 3, 1}, std::vector<std::size_t>{4, 10, 3, 3}}) {
    benchmark::RegisterBenchmark(("network/iris_epoch/" + widths_name(widths) + "/" + isa).c_str(),
                                 iris_epoch, widths);
  }
  benchmark::RegisterBenchmark(("network/train_step/784-256-128-10/b256/" + isa).c_str(),
                               mnist_step, std::size_t{1})
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("network/train_step/784-256-128-10/b256/threads:2/" + isa).c_str(),
                               mnist_step, std::size_t{2})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("network/forward/784-256-128-10/b256/" + isa).c_str(),
                               mnist_forward)
      ->Unit(benchmark::kMicrosecond);
  for (const std::vector<std::size_t>& widths :
       {std::vector<std::size_t>{4, 10, 3, 1}, std::vector<std::size_t>{784, 256, 128, 10}}) {
    benchmark::RegisterBenchmark(("network/infer/" + widths_name(widths) + "/" + isa).c_str(),
                                 infer_one, widths);
  }
  return true;
}();

}  // namespace
