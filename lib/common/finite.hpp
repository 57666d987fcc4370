// lib/common/finite.hpp — the one finiteness check of the library (internal header).
//
// A model's weights, a dataset's features, standardization statistics, and the inputs of every
// network and predictor call are checked by this one definition, so "finite" means the same
// thing everywhere. Included only by baseline-ISA sources (never by lib/arch/), so this inline
// function cannot be emitted by an AVX object (tools/check-isa-symbols.sh).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace simdnn::detail {

// True when no value is NaN or infinite (true for none). Integer-only and branch-free, so it
// vectorizes without -ffast-math: an exponent field of all ones plus one carries into the sign
// bit, and no other exponent does.
[[nodiscard]] inline bool all_finite(const float* x, std::size_t n) noexcept {
  std::uint32_t flags = 0;
  for (std::size_t i = 0; i < n; ++i) {
    flags |= (std::bit_cast<std::uint32_t>(x[i]) & 0x7F800000u) + 0x00800000u;
  }
  return (flags & 0x80000000u) == 0;
}

[[nodiscard]] inline bool all_finite(std::span<const float> values) noexcept {
  return all_finite(values.data(), values.size());
}

}  // namespace simdnn::detail
