// lib/nn/arena.hpp — one 64-byte-aligned block of memory per object: carving it into typed,
// zeroed views, and owning it (a heap block freed with the object, or caller memory left alone).
//
// A network's or a predictor's memory is planned by walking its blocks in one fixed order twice
// with the same code: first with a cursor that has no base (it only adds up sizes and alignment
// padding), then, once that many bytes are at hand, with a cursor on the real base (it also hands
// out addresses). Because one walk does both, the measured size and the carved layout cannot
// disagree.
//
// Both objects then live the same way: built at the start of their own arena, which is either a
// heap block they own or memory a caller lends (a static buffer), held by one pointer, move-only.
// The helpers at the end do that once for both, so the two cannot drift apart (a leak on a throw,
// a free of caller memory). Every message names the object being built, since the same code sizes
// both: a predictor's error must not blame a network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace simdnn::nn {

// Every block starts on a cache line (and on the widest vector the kernels load, AVX-512).
inline constexpr std::size_t arena_alignment = 64;

// Names the object an arena is built for, in every message the code below raises.
struct arena_client {
  const char* name;           // "predictor": messages start "simdnn::predictor: "
  const char* size_function;  // "memory_bytes": the static member that says how many bytes to lend
};

// Throws std::invalid_argument("simdnn::<object>: <what>"). Messages are built only when thrown:
// an object in caller memory must not touch the heap on the success path, not even for a string.
[[noreturn]] inline void throw_invalid_argument(const char* object, const std::string& what) {
  throw std::invalid_argument("simdnn::" + std::string(object) + ": " + what);
}

class arena_cursor {
 public:
  // No base: measure only, every take() returns nullptr. With a base (64-byte aligned): carve.
  explicit arena_cursor(const arena_client& client, std::byte* base = nullptr) noexcept
      : object_(client.name), base_(base) {}

  [[nodiscard]] bool carving() const noexcept { return base_ != nullptr; }
  // Bytes walked so far, alignment padding included.
  [[nodiscard]] std::size_t bytes() const noexcept { return used_; }

  // a * b, or std::invalid_argument naming `what` when the product does not fit in size_t.
  std::size_t checked_multiply(std::size_t a, std::size_t b, const char* what) const {
    if (b != 0 && a > std::numeric_limits<std::size_t>::max() / b) {
      throw_invalid_argument(object_, std::string("size overflow in ") + what);
    }
    return a * b;
  }

  // `count` rounded up to a whole number of cache lines' worth of T.
  template <class T>
  std::size_t round_up_to_lines(std::size_t count) const {
    constexpr std::size_t per_line = arena_alignment / sizeof(T);
    static_assert(arena_alignment % sizeof(T) == 0);
    if (count > std::numeric_limits<std::size_t>::max() - (per_line - 1)) {
      throw_invalid_argument(object_, "size overflow rounding a block");
    }
    return (count + per_line - 1) / per_line * per_line;
  }

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
      throw_invalid_argument(object_, "arena size overflows size_t");
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
      throw_invalid_argument(object_, "arena size overflows size_t");
    }
    return (used_ + arena_alignment - 1) / arena_alignment * arena_alignment;
  }

  const char* object_;
  std::byte* base_;
  std::size_t used_ = 0;
};

// The first 64-byte-aligned address at or after `p`.
inline std::byte* align_up(std::byte* p) noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t padding = (arena_alignment - address % arena_alignment) % arena_alignment;
  return p + padding;
}

// ---- Owning an arena ----------------------------------------------------------------------
// The object at the start of an arena derives from arena_record, so one pointer is the whole
// handle: whether to free, and how big the arena is, travel inside the arena. The public class
// stays a pointer wide, and building in caller memory needs no heap for bookkeeping.
struct arena_record {
  std::byte* owned_memory = nullptr;  // the heap block to free; null in caller memory
  std::size_t arena_bytes = 0;        // the size the user was told, alignment slack included
};

template <class Impl>
concept arena_object =
    std::is_base_of_v<arena_record, Impl> && std::is_trivially_destructible_v<Impl>;

// Bytes to ask a user for: the walk's `measured` bytes plus the slack that aligns any buffer.
inline std::size_t with_alignment_slack(std::size_t measured, const arena_client& client) {
  if (measured > std::numeric_limits<std::size_t>::max() - (arena_alignment - 1)) {
    throw_invalid_argument(client.name, "arena size overflows size_t");
  }
  return measured + (arena_alignment - 1);
}

// Builds in a heap block of `bytes` that the result owns. `build(base)` constructs the Impl at
// the 64-byte-aligned `base` and returns it; should it throw, the block is freed. The block is
// aligned already and needs no slack, but it is the size the user was told, so the figure a
// user sees is the figure in use. std::bad_alloc if it cannot be had.
template <arena_object Impl, class Build>
Impl* build_in_owned_arena(std::size_t bytes, Build&& build) {
  auto* memory = static_cast<std::byte*>(::operator new (bytes, std::align_val_t{arena_alignment}));
  Impl* self = nullptr;
  try {
    self = std::forward<Build>(build)(memory);
  } catch (...) {
    ::operator delete (memory, std::align_val_t{arena_alignment});
    throw;
  }
  self->owned_memory = memory;
  self->arena_bytes = bytes;
  return self;
}

// Builds in caller memory of any alignment (the arena starts at its first 64-byte boundary),
// which the result never frees. std::invalid_argument naming the client if `memory` is smaller
// than `bytes`.
template <arena_object Impl, class Build>
Impl* build_in_caller_arena(std::span<std::byte> memory, std::size_t bytes,
                            const arena_client& client, Build&& build) {
  if (memory.size() < bytes) {
    throw_invalid_argument(client.name, "caller memory holds " + std::to_string(memory.size()) +
                                            " bytes, the " + client.name + " needs " +
                                            std::to_string(bytes) + " (" + client.name +
                                            "::" + client.size_function + ")");
  }
  Impl* self = std::forward<Build>(build)(align_up(memory.data()));
  self->arena_bytes = bytes;
  return self;
}

// Frees what `self` owns (nothing when built in caller memory) and leaves it null. Everything in
// an arena is trivially destructible (the cursor insists), so releasing the bytes is enough.
template <arena_object Impl>
void release_arena(Impl*& self) noexcept {
  if (self == nullptr) return;
  if (std::byte* owned = self->owned_memory) {
    ::operator delete (owned, std::align_val_t{arena_alignment});
  }
  self = nullptr;
}

// Move assignment of a handle: `to` takes `from`'s arena and releases its own; `from` is left
// empty (a moved-from object answers empty_network). Moving onto itself changes nothing.
template <arena_object Impl>
void move_arena(Impl*& to, Impl*& from) noexcept {
  if (&to == &from) return;
  Impl* incoming = std::exchange(from, nullptr);
  release_arena(to);
  to = incoming;
}

}  // namespace simdnn::nn
