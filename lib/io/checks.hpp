// lib/io/checks.hpp — the argument checks that the model, dataset and preparation code share.
//
// Internal header. One definition keeps "finite" meaning the same thing for a model's weights, a
// dataset's features and standardization statistics, and the std::invalid_argument convention of
// the dataset functions in one place.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>

namespace simdnn::io {

// Throws std::invalid_argument(message) unless `condition` holds.
inline void require(bool condition, const char* message) {
  if (!condition) throw std::invalid_argument(message);
}

// True when no value is NaN or infinite (true for an empty span).
[[nodiscard]] inline bool all_finite(std::span<const float> values) noexcept {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

}  // namespace simdnn::io
