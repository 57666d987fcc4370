// bench/model/predict_setups.hpp — the models and inputs of the single-sample inference
// benchmarks, shared by simdnn_bench (model/predict_bench.cpp) and the Eigen peers of
// simdnn_bench_peers: sigmoid layers, biases, Xavier weights from seed 1, input standardization
// on (mean U(-0.5, 0.5) seed 2, stddev U(0.5, 2) seed 3, as simdnn-train saves models), and 64
// fixed-seed input samples U(-2, 2) from seed 4 that the timing loops cycle through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/random.hpp"

namespace simdnn::bench {

constexpr std::size_t predict_sample_count = 64;

// Fixed-seed uniform floats (simdnn::splitmix64).
inline std::vector<float> fixed_floats(std::size_t n, std::uint64_t seed, float lo, float hi) {
  std::vector<float> values(n);
  splitmix64 rng(seed);
  for (float& v : values) v = rng.uniform(lo, hi);
  return values;
}

// The network the benchmarked model is made from (max_batch 1), `act` on every layer.
inline network make_predict_network(const std::vector<std::size_t>& widths,
                                    activation act = activation::sigmoid) {
  network_options options;
  options.max_batch = 1;
  options.activations.assign(widths.size() - 1, act);
  network net(widths, options);
  const std::size_t inputs = widths.front();
  const std::vector<float> mean = fixed_floats(inputs, 2, -0.5f, 0.5f);
  const std::vector<float> stddev = fixed_floats(inputs, 3, 0.5f, 2.0f);
  net.set_input_standardization(mean, stddev);
  return net;
}

inline model make_predict_model(const std::vector<std::size_t>& widths,
                                activation act = activation::sigmoid) {
  return model(make_predict_network(widths, act));
}

// predict_sample_count x input width.
inline std::vector<float> predict_inputs(std::size_t input_width) {
  return fixed_floats(predict_sample_count * input_width, 4, -2.0f, 2.0f);
}

}  // namespace simdnn::bench
