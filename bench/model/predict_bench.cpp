// bench/model/predict_bench.cpp — single-sample inference through simdnn::predictor, per ISA:
//
//   predict/<widths>/<isa>          Google Benchmark's loop: one predict per iteration, inputs
//                                   cycling through 64 fixed-seed samples. Back-to-back calls
//                                   may overlap in the out-of-order core, so this is the cost per
//                                   call in a loop (what peers' loop benchmarks report).
//   predict_latency/<widths>/<isa>  1,000,000 calls, each timed alone between serializing TSC
//                                   reads (lfence; rdtsc ... rdtscp; lfence) into a preallocated
//                                   array, then sorted: counters p50_ns, p99_ns, p999_ns, max_ns,
//                                   mean_ns, with the timer's own median cost (timer_ns, measured
//                                   the same way around nothing) subtracted. The TSC is calibrated
//                                   against steady_clock. One call's latency, end to end.
//                                   Also chain_ns: the mean over 1,000,000 calls in which each
//                                   input depends on the previous output (no timer inside the
//                                   loop), so no two calls overlap: the latency without the
//                                   timer's granularity (about 10 ns for the TSC of this VM).
//
// Models: 4-10-3-1 (the notebook's shape) and 784-256-128-10 (MNIST-shaped), sigmoid layers
// (and 4-10-3-1 with sigmoid_fast and with relu layers: the activation's share of a call),
// biases, Xavier weights from seed 1, input standardization on (as simdnn-train saves them).
// The predictor and each workspace are built before timing; predict allocates nothing.
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/predict_setups.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"
#include "simdnn/random.hpp"

namespace {

constexpr std::size_t latency_calls = 1'000'000;
constexpr std::size_t sample_count = simdnn::bench::predict_sample_count;

struct bench_model {
  const char* name;
  std::vector<std::size_t> widths;
  simdnn::activation act;
};

// The -sigmoid_fast and -relu variants of the small model measure what the accurate sigmoid's
// dependency chain costs a single call: three activations run one after the other, each waiting
// for the layer before.
const bench_model bench_models[] = {
    {"4-10-3-1", {4, 10, 3, 1}, simdnn::activation::sigmoid},
    {"784-256-128-10", {784, 256, 128, 10}, simdnn::activation::sigmoid},
    {"4-10-3-1-sigmoid_fast", {4, 10, 3, 1}, simdnn::activation::sigmoid_fast},
    {"4-10-3-1-relu", {4, 10, 3, 1}, simdnn::activation::relu},
};

simdnn::model make_model(const bench_model& spec) {
  return simdnn::bench::make_predict_model(spec.widths, spec.act);
}

// Everything one benchmark needs, built before timing.
struct fixture {
  simdnn::predictor predictor;
  std::vector<float> inputs;  // sample_count x input width
  std::vector<float> output;
  std::vector<std::byte> workspace;

  fixture(const simdnn::model& m, simdnn::isa which)
      : predictor(m, which),
        inputs(simdnn::bench::predict_inputs(m.input_width())),
        output(m.output_width()),
        workspace(predictor.workspace_bytes(1)) {}

  std::span<const float> sample(std::size_t i) const {
    const std::size_t width = predictor.input_width();
    return std::span(inputs).subspan((i % sample_count) * width, width);
  }
};

void bench_predict(benchmark::State& state, const bench_model* spec, simdnn::isa which) {
  fixture f(make_model(*spec), which);
  std::size_t i = 0;
  for (auto _ : state) {
    const float* input = f.sample(i++).data();
    benchmark::DoNotOptimize(input);  // the input is new every call: no hoisting
    const simdnn::status s =
        f.predictor.predict({input, f.predictor.input_width()}, f.output, f.workspace);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(f.output.data());
    benchmark::ClobberMemory();
  }
  state.counters["samples"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Serializing TSC reads: nothing before the first read may still be running, nothing after the
// second may have started; rdtscp waits for the timed call's instructions to finish.
inline std::uint64_t tsc_start() noexcept {
  _mm_lfence();
  const std::uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
}
inline std::uint64_t tsc_stop() noexcept {
  unsigned aux = 0;
  const std::uint64_t t = __rdtscp(&aux);
  _mm_lfence();
  return t;
}

// TSC ticks per nanosecond, against steady_clock over ~50 ms.
double tsc_per_ns() {
  const auto c0 = std::chrono::steady_clock::now();
  const std::uint64_t t0 = tsc_start();
  while (std::chrono::steady_clock::now() - c0 < std::chrono::milliseconds(50)) {
  }
  const auto c1 = std::chrono::steady_clock::now();
  const std::uint64_t t1 = tsc_stop();
  return static_cast<double>(t1 - t0) /
         static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(c1 - c0).count());
}

void bench_latency(benchmark::State& state, const bench_model* spec, simdnn::isa which) {
  fixture f(make_model(*spec), which);
  std::vector<std::uint64_t> ticks(latency_calls);  // preallocated: nothing allocates below
  std::vector<std::uint64_t> empty(latency_calls);
  const double per_ns = tsc_per_ns();
  bool failed = false;
  for (auto _ : state) {
    // Warm up: caches, branch predictors, the CPU's clock.
    for (std::size_t i = 0; i < 10'000; ++i) {
      failed |= f.predictor.predict(f.sample(i), f.output, f.workspace) != simdnn::status::ok;
    }
    for (std::size_t i = 0; i < latency_calls; ++i) {
      const std::span<const float> input = f.sample(i);
      const std::uint64_t t0 = tsc_start();
      const simdnn::status s = f.predictor.predict(input, f.output, f.workspace);
      benchmark::DoNotOptimize(f.output.data());
      const std::uint64_t t1 = tsc_stop();
      ticks[i] = t1 - t0;
      failed |= s != simdnn::status::ok;
      benchmark::ClobberMemory();
    }
    for (std::size_t i = 0; i < latency_calls; ++i) {
      const std::uint64_t t0 = tsc_start();
      const std::uint64_t t1 = tsc_stop();
      empty[i] = t1 - t0;
    }
    // Dependent calls: the next input's first feature is this call's first output (scaled to
    // stay in range), so a call cannot start before the previous one has finished.
    std::vector<float> chained(f.inputs.begin(), f.inputs.begin() + static_cast<std::ptrdiff_t>(
                                                                        f.predictor.input_width()));
    const std::uint64_t c0 = tsc_start();
    for (std::size_t i = 0; i < latency_calls; ++i) {
      failed |= f.predictor.predict(chained, f.output, f.workspace) != simdnn::status::ok;
      chained[0] = f.output[0] * 0.5f;
    }
    const std::uint64_t c1 = tsc_stop();
    state.counters["chain_ns"] =
        static_cast<double>(c1 - c0) / per_ns / static_cast<double>(latency_calls);
  }
  if (failed) {
    state.SkipWithError("predict failed");
    return;
  }
  std::sort(ticks.begin(), ticks.end());
  std::sort(empty.begin(), empty.end());
  const double timer = static_cast<double>(empty[latency_calls / 2]);
  const auto at = [&](double quantile) {
    const auto index = static_cast<std::size_t>(quantile * static_cast<double>(latency_calls - 1));
    return (static_cast<double>(ticks[index]) - timer) / per_ns;
  };
  double sum = 0.0;
  for (const std::uint64_t t : ticks) sum += static_cast<double>(t);
  state.counters["p50_ns"] = at(0.50);
  state.counters["p99_ns"] = at(0.99);
  state.counters["p999_ns"] = at(0.999);
  state.counters["max_ns"] = at(1.0);
  state.counters["mean_ns"] = (sum / static_cast<double>(latency_calls) - timer) / per_ns;
  state.counters["timer_ns"] = timer / per_ns;
  state.counters["calls"] = static_cast<double>(latency_calls);
}

// Registered at start-up for every ISA this machine runs (the ISA is in the name).
const bool registered = [] {
  for (const simdnn::isa which : simdnn::supported_isas()) {
    for (const bench_model& spec : bench_models) {
      const std::string suffix = std::string(spec.name) + "/" + simdnn::isa_name(which);
      benchmark::RegisterBenchmark(("predict/" + suffix).c_str(), bench_predict, &spec, which);
      benchmark::RegisterBenchmark(("predict_latency/" + suffix).c_str(), bench_latency, &spec,
                                   which)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}();

}  // namespace
