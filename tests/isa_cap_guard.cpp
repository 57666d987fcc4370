// tests/isa_cap_guard.cpp — linked into the test executables that ctest runs once per ISA cap
// (SIMDNN_ISA=sse2|avx2|avx512, tests/nn/tests.cmake). The library falls back to the best ISA it
// can run when the cap names one this CPU/OS lacks; a run under that cap would then repeat a lower
// ISA's run and be reported as passing for an ISA that never ran. Instead the whole run is
// skipped: the reason is printed and the process exits with kIsaUnavailableExitCode, which the
// ctest registration declares as SKIP_RETURN_CODE. Every run prints the ISA it exercises.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "simdnn/isa.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

class isa_cap_guard : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* cap = std::getenv("SIMDNN_ISA");
    isa requested{};
    if (cap != nullptr && parse_isa(cap, requested) && !isa_supported(requested)) {
      std::string runs;
      for (isa which : supported_isas()) runs += std::string(" ") + isa_name(which);
      std::printf(
          "SIMDNN_ISA=%s: this CPU/OS cannot run %s (it runs:%s); every test of this run "
          "is skipped\n",
          cap, cap, runs.c_str());
      std::fflush(stdout);
      std::exit(kIsaUnavailableExitCode);
    }
    const std::string cap_note = cap != nullptr ? std::string(" (SIMDNN_ISA=") + cap + ")" : "";
    std::printf("kernels exercised: %s%s\n", isa_name(active_isa()), cap_note.c_str());
  }
};

// Registered before main runs; gtest owns and runs it before the first test.
[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new isa_cap_guard);

}  // namespace
}  // namespace simdnn::testing
