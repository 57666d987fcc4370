// tests/model/model_test_support.hpp — fixed-seed models and byte surgery on model files.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "simdnn/model.hpp"
#include "test_support.hpp"

namespace simdnn::testing {

// A model with every optional part: 4-10-3, biases, standardization, class names, sigmoid then
// identity. Weights from a fixed seed, including a -0.0, a subnormal and large magnitudes, so a
// round trip proves bit-exactness on values a careless codec would change.
inline model full_model(std::uint64_t seed = 7) {
  model_parameters p;
  p.widths = {4, 10, 3};
  p.activations = {activation::sigmoid, activation::identity};
  p.bias = true;
  test_rng rng(seed);
  for (std::size_t l = 0; l + 1 < p.widths.size(); ++l) {
    std::vector<float> w(p.widths[l] * p.widths[l + 1]);
    for (float& v : w) v = rng.uniform(-2.0f, 2.0f);
    std::vector<float> b(p.widths[l + 1]);
    for (float& v : b) v = rng.uniform(-1.0f, 1.0f);
    p.weights.push_back(w);
    p.biases.push_back(b);
  }
  p.weights[0][1] = -0.0f;
  p.weights[0][2] = std::bit_cast<float>(std::uint32_t{0x00000123});  // subnormal
  p.weights[1][0] = 3.0e38f;
  p.weights[1][1] = -1.0e-30f;
  p.input_mean = {5.8f, 3.05f, 3.76f, 1.2f};
  p.input_stddev = {0.83f, 0.43f, 1.76f, 0.76f};
  p.class_names = {"setosa", "versicolor", "virginica"};  // 25 bytes: 3 bytes of padding
  return model(std::move(p));
}

// A random model of the given shape (Xavier-like scale so deep sigmoid nets stay informative).
inline model random_model(std::vector<std::size_t> widths, std::vector<activation> activations,
                          bool bias, std::uint64_t seed, bool standardize = false) {
  model_parameters p;
  p.widths = std::move(widths);
  p.activations = std::move(activations);
  p.bias = bias;
  test_rng rng(seed);
  for (std::size_t l = 0; l + 1 < p.widths.size(); ++l) {
    const float r = 2.0f / std::sqrt(static_cast<float>(p.widths[l]));
    std::vector<float> w(p.widths[l] * p.widths[l + 1]);
    for (float& v : w) v = rng.uniform(-r, r);
    std::vector<float> b(bias ? p.widths[l + 1] : 0);
    for (float& v : b) v = rng.uniform(-0.5f, 0.5f);
    p.weights.push_back(w);
    p.biases.push_back(b);
  }
  if (standardize) {
    for (std::size_t i = 0; i < p.widths[0]; ++i) {
      p.input_mean.push_back(rng.uniform(-1.0f, 1.0f));
      p.input_stddev.push_back(rng.uniform(0.5f, 2.0f));
    }
  }
  return model(std::move(p));
}

using bytes = std::vector<std::byte>;

inline std::uint32_t get_u32(const bytes& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint32_t>(b.at(at + i));
  return v;
}
inline void put_u32(bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b.at(at + i) = static_cast<std::byte>(v >> (8 * i));
}
inline void put_u64(bytes& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) b.at(at + i) = static_cast<std::byte>(v >> (8 * i));
}
inline void put_f32(bytes& b, std::size_t at, float v) {
  put_u32(b, at, std::bit_cast<std::uint32_t>(v));
}

// After surgery: declare the buffer's size and recompute the checksum, so that the check under
// test, not the checksum, is what rejects the file.
inline void reseal(bytes& b) {
  put_u64(b, 16, b.size());
  put_u32(b, b.size() - 4, crc32c(std::span(b).first(b.size() - 4)));
}

// Offsets in a model file (docs/model-format.md): the header's are the same in every version; a
// layer record is 16 bytes in version 2 (inputs, outputs, activation code, parameter), 12 in 1.
inline constexpr std::size_t at_version = 8, at_byte_order = 12, at_file_size = 16,
                             at_layer_count = 24, at_flags = 28, at_class_count = 32,
                             at_name_bytes = 36, at_layers = 40;
inline std::size_t at_layer(std::size_t l) {
  return at_layers + 16 * l;
}
inline std::size_t at_layer_v1(std::size_t l) {
  return at_layers + 12 * l;
}

}  // namespace simdnn::testing
