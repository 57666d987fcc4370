// tests/test_support.hpp — what every kernel test shares: the ISAs to run, fixed-seed data.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/random.hpp"

namespace simdnn::testing {

// The exit status of a test executable run under an SIMDNN_ISA cap this CPU/OS cannot run
// (tests/isa_cap_guard.cpp); ctest registers it as SKIP_RETURN_CODE, so such a run is reported as
// skipped, never as passed.
inline constexpr int kIsaUnavailableExitCode = 77;

// Every ISA this build knows, as a gtest parameter; tests for ISAs the CPU lacks are skipped
// (with the reason), so the output always says which ISAs ran.
inline std::vector<isa> all_isas() {
  return {isa::sse2, isa::avx2, isa::avx512};
}

inline std::string isa_param_name(const ::testing::TestParamInfo<isa>& info) {
  return isa_name(info.param);
}

// The test data generator: simdnn's splitmix64 (simdnn/random.hpp), with floats drawn from 53
// random bits rounded once (the tests' reference data since the first release: keep it stable).
class test_rng : public splitmix64 {
 public:
  explicit test_rng(std::uint64_t seed) : splitmix64(seed) {}
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    const double unit = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return static_cast<float>(lo + (hi - lo) * unit);
  }
};

}  // namespace simdnn::testing
