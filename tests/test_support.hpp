// tests/test_support.hpp — what every kernel test shares: the ISAs to run, fixed-seed data.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/isa.hpp"

namespace simdnn::testing {

// The exit status of a test executable run under an SIMDNN_ISA cap this CPU/OS cannot run
// (tests/isa_cap_guard.cpp); ctest registers it as SKIP_RETURN_CODE, so such a run is reported as
// skipped, never as passed.
inline constexpr int kIsaUnavailableExitCode = 77;

// Every ISA this build knows, as a gtest parameter; tests for ISAs the CPU lacks are skipped
// (with the reason), so the output always says which ISAs ran.
inline std::vector<isa> all_isas() { return {isa::sse2, isa::avx2, isa::avx512}; }

inline std::string isa_param_name(const ::testing::TestParamInfo<isa>& info) {
  return isa_name(info.param);
}

// A small deterministic generator (splitmix64) so test data is the same on every platform.
class test_rng {
 public:
  explicit test_rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    const double unit = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return static_cast<float>(lo + (hi - lo) * unit);
  }

 private:
  std::uint64_t state_;
};

}  // namespace simdnn::testing
