// bench/baselines.hpp — per-ISA code the benchmarks compare against, compiled in bench/arch/.
#pragma once

#include <cstddef>

#include "simdnn/isa.hpp"

namespace simdnn::bench {

struct baselines {
  // Runs `iterations` rounds of independent FMA chains that fill both FMA ports; returns a value
  // that depends on every lane (so nothing is optimized away). flops_per_iteration tells the rate.
  float (*fma_peak)(std::size_t iterations) noexcept;
  std::size_t fma_peak_flops_per_iteration;
  // The textbook vector sigmoid, 1 / (1 + xsimd::exp(-x)), the peer issue 5 measures against.
  void (*xsimd_exp_sigmoid)(const float* x, float* y, std::size_t n) noexcept;
  // y = x with this ISA's full-width loads and stores: the copy rate an elementwise kernel can
  // reach. Beside memcpy because glibc's memcpy takes `rep movsb` at some sizes, which runs far
  // below the load/store rate on some CPUs (measured: 16 Ki floats on this Zen 3 VM).
  void (*vector_copy)(const float* x, float* y, std::size_t n) noexcept;
  // xsimd::tanh on full vectors of this ISA: the peer of simdnn::tanh.
  void (*xsimd_tanh)(const float* x, float* y, std::size_t n) noexcept;
};

// nullptr when this CPU cannot run `which`.
const baselines* baselines_for(isa which) noexcept;

const baselines& sse2_baselines() noexcept;
const baselines& avx2_baselines() noexcept;
const baselines& avx512_baselines() noexcept;

}  // namespace simdnn::bench
