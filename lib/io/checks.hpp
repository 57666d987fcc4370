// lib/io/checks.hpp — the argument checks that the model, dataset and preparation code share.
//
// Internal header: the std::invalid_argument convention of the dataset functions, and the
// library's one finiteness check (lib/common/finite.hpp) under the name io code uses.
#pragma once

#include <stdexcept>

#include "common/finite.hpp"

namespace simdnn::io {

// Throws std::invalid_argument(message) unless `condition` holds.
inline void require(bool condition, const char* message) {
  if (!condition) throw std::invalid_argument(message);
}

using detail::all_finite;

}  // namespace simdnn::io
