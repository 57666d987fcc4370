// lib/nn/arena.hpp — carves one 64-byte-aligned block of memory into typed, zeroed views.
//
// A network's memory is planned by walking its blocks in one fixed order twice with the same
// code: first with a cursor that has no base (it only adds up sizes and alignment padding), then,
// once that many bytes are at hand, with a cursor on the real base (it also hands out addresses).
// Because one walk does both, the measured size and the carved layout cannot disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace simdnn::nn {

// Every block starts on a cache line (and on the widest vector the kernels load, AVX-512).
inline constexpr std::size_t arena_alignment = 64;

// a * b, or std::invalid_argument naming `what` when the product does not fit in size_t.
inline std::size_t checked_multiply(std::size_t a, std::size_t b, const char* what) {
  if (b != 0 && a > std::numeric_limits<std::size_t>::max() / b) {
    throw std::invalid_argument(std::string("simdnn::network: size overflow in ") + what);
  }
  return a * b;
}

// `count` rounded up to a whole number of cache lines' worth of T.
template <class T>
std::size_t round_up_to_lines(std::size_t count) {
  constexpr std::size_t per_line = arena_alignment / sizeof(T);
  static_assert(arena_alignment % sizeof(T) == 0);
  if (count > std::numeric_limits<std::size_t>::max() - (per_line - 1)) {
    throw std::invalid_argument("simdnn::network: size overflow rounding a block");
  }
  return (count + per_line - 1) / per_line * per_line;
}

class arena_cursor {
 public:
  // No base: measure only, every take() returns nullptr. With a base (64-byte aligned): carve.
  explicit arena_cursor(std::byte* base = nullptr) noexcept : base_(base) {}

  [[nodiscard]] bool carving() const noexcept { return base_ != nullptr; }
  // Bytes walked so far, alignment padding included.
  [[nodiscard]] std::size_t bytes() const noexcept { return used_; }

  // The next `count` objects of T, starting on a 64-byte boundary. When carving they are
  // value-initialized (zero for numbers and pointers), which also begins their lifetime in the
  // raw bytes. Throws std::invalid_argument if the arena's size would overflow; that can only
  // happen while measuring, since carving repeats a walk that already measured successfully.
  template <class T>
  T* take(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena never runs destructors");
    static_assert(alignof(T) <= arena_alignment);
    const std::size_t start = aligned_end();
    const std::size_t size = checked_multiply(count, sizeof(T), "an arena block");
    if (size > std::numeric_limits<std::size_t>::max() - start) {
      throw std::invalid_argument("simdnn::network: arena size overflows size_t");
    }
    used_ = start + size;
    if (base_ == nullptr) return nullptr;
    // The bytes hold no objects yet: std::uninitialized_value_construct_n creates them.
    T* first = static_cast<T*>(static_cast<void*>(base_ + start));
    std::uninitialized_value_construct_n(first, count);
    return first;
  }

 private:
  std::size_t aligned_end() const {
    if (used_ > std::numeric_limits<std::size_t>::max() - (arena_alignment - 1)) {
      throw std::invalid_argument("simdnn::network: arena size overflows size_t");
    }
    return (used_ + arena_alignment - 1) / arena_alignment * arena_alignment;
  }

  std::byte* base_;
  std::size_t used_ = 0;
};

// The first 64-byte-aligned address at or after `p`.
inline std::byte* align_up(std::byte* p) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t padding = (arena_alignment - address % arena_alignment) % arena_alignment;
  return p + padding;
}

}  // namespace simdnn::nn
