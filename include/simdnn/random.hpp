// simdnn/random.hpp — the seeded generator behind every reproducible choice simdnn makes.
//
// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast generator whose output is fully defined
// by its seed on every platform, compiler and standard library, unlike std::shuffle and the std::
// distributions, whose algorithms are implementation-defined. The network's weight init, the
// hold-out split and the epochs' shuffles use it; so do simdnn's tests and benchmarks, and users
// who want their own data to be reproducible the same way. Never allocates; not thread-safe (one
// generator per thread).
#pragma once

#include <cstdint>

namespace simdnn {

class splitmix64 {
 public:
  explicit constexpr splitmix64(std::uint64_t seed) noexcept : state_(seed) {}

  // The next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    state_ += 0x9E3779B97F4A7C15u;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound) with no modulo bias (draws below 2^64 mod bound are rejected).
  // bound == 0 returns 0.
  constexpr std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t draw = next();
      if (draw >= threshold) return draw % bound;
    }
  }

  // Uniform on [-1, 1) with 53 random bits; every step is exact in double.
  constexpr double uniform_pm1() noexcept {
    return static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0;
  }

  // Uniform float in [lo, hi) from 24 random bits (one float's worth of resolution in [0, 1)).
  constexpr float uniform(float lo, float hi) noexcept {
    return lo + (hi - lo) * static_cast<float>(static_cast<double>(next() >> 40) * 0x1.0p-24);
  }

 private:
  std::uint64_t state_;
};

}  // namespace simdnn
