// bench/nn/network_setups.hpp — the data and options of the network benchmarks, shared by
// simdnn_bench (nn/network_bench.cpp) and the Eigen peers of simdnn_bench_peers, so both time
// exactly the same tasks:
//   Iris epoch: 150 rows of data/iris.csv (when SIMDNN_DATA_DIR names its folder, else a
//     fixed-seed synthetic set of the same shape), one full-batch train_batch.
//       4-10-3-1: the notebook's setup: no bias, U(-1, 1), sum reduction, raw label as target,
//                 lr 0.05 (the notebook's 0.1 on E = 1/2 sum (y - t)^2).
//       4-10-3-3: the library defaults (bias, Xavier, mean reduction), one-hot targets, lr 0.5.
//   MNIST-shaped step: 784-256-128-10, batch 256, defaults, inputs U(0, 1) from seed 784,
//     one-hot targets (row r is class r mod 10), lr 0.1.
// Sigmoid layers and the squared error everywhere (network_options' defaults); seed 1.
#pragma once

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "simdnn/network.hpp"
#include "simdnn/random.hpp"

namespace simdnn::bench {

// "4-10-3-1": a topology as the benchmark names spell it.
inline std::string widths_name(const std::vector<std::size_t>& widths) {
  std::string name;
  for (std::size_t w : widths) {
    if (!name.empty()) name += '-';
    name += std::to_string(w);
  }
  return name;
}

struct iris_set {
  std::vector<float> features;  // 150 x 4
  std::vector<int> labels;      // 0, 1, 2
};

inline iris_set load_iris_or_synthetic() {
  iris_set data;
#ifdef SIMDNN_DATA_DIR
  std::ifstream file(std::string(SIMDNN_DATA_DIR) + "/iris.csv");
  std::string line;
  if (file && std::getline(file, line)) {  // header
    while (std::getline(file, line)) {
      std::stringstream fields(line);
      std::string field;
      for (int c = 0; c < 4 && std::getline(fields, field, ','); ++c) {
        data.features.push_back(std::stof(field));
      }
      if (std::getline(fields, field, ',')) data.labels.push_back(std::stoi(field));
    }
  }
  if (data.labels.size() == 150 && data.features.size() == 600) return data;
  data = {};
#endif
  // Three clusters around Iris's class means, same ranges.
  const float centers[3][4] = {
      {5.0f, 3.4f, 1.5f, 0.2f}, {5.9f, 2.8f, 4.3f, 1.3f}, {6.6f, 3.0f, 5.6f, 2.0f}};
  splitmix64 rng(150);
  for (int r = 0; r < 150; ++r) {
    const int label = r / 50;
    for (float center : centers[label]) data.features.push_back(center + rng.uniform(-0.4f, 0.4f));
    data.labels.push_back(label);
  }
  return data;
}

// The notebook's setup for one output (no bias, U(-1, 1), sum reduction: lr 0.05 is its 0.1);
// the library defaults (bias, Xavier, mean) for one-hot outputs.
inline network_options iris_options(std::size_t outputs) {
  network_options options;
  options.max_batch = 150;
  options.seed = 1;
  if (outputs == 1) {
    options.bias = false;
    options.init = weight_init::uniform_pm1;
    options.reduction = loss_reduction::sum;
  }
  return options;
}

// One output: the notebook's raw label; several: one-hot.
inline std::vector<float> iris_targets(const iris_set& iris, std::size_t outputs) {
  std::vector<float> targets;
  for (int label : iris.labels) {
    if (outputs == 1) {
      targets.push_back(static_cast<float>(label));
    } else {
      for (std::size_t c = 0; c < outputs; ++c) {
        targets.push_back(static_cast<int>(c) == label ? 1.0f : 0.0f);
      }
    }
  }
  return targets;
}

inline float iris_learning_rate(std::size_t outputs) {
  return outputs == 1 ? 0.05f : 0.5f;
}

struct mnist_batch {
  static constexpr std::size_t batch = 256;
  std::vector<std::size_t> widths = {784, 256, 128, 10};
  std::vector<float> inputs, targets;  // batch x 784, batch x 10
  float learning_rate = 0.1f;

  mnist_batch() : inputs(batch * 784), targets(batch * 10, 0.0f) {
    splitmix64 rng(784);
    for (float& v : inputs) v = rng.uniform(0.0f, 1.0f);
    for (std::size_t r = 0; r < batch; ++r) targets[r * 10 + r % 10] = 1.0f;
  }

  static network_options options() {
    network_options options;
    options.max_batch = batch;
    return options;
  }
};

}  // namespace simdnn::bench
