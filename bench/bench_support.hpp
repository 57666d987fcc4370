// bench/bench_support.hpp — registration helpers: every benchmark runs once per ISA this CPU
// supports, with the ISA (and tile) in its name, and fixed-seed data.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/isa.hpp"

namespace simdnn::bench {

void register_sgemm_benchmarks();
void register_sigmoid_benchmarks();

inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float lo, float hi) {
  std::vector<float> values(n);
  std::uint64_t state = seed;
  for (float& v : values) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
    v = static_cast<float>(lo + (hi - lo) * unit);
  }
  return values;
}

}  // namespace simdnn::bench
