// tests/fuzz/model_fuzz.cpp — libFuzzer entry point for the model loader (simdnn::parse_model);
// the checks are in fuzz_targets.hpp. Built only with -DSIMDNN_BUILD_FUZZERS=ON and clang
// (tools/run-fuzzers.sh).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  simdnn::fuzz::fuzz_model(data, size);
  return 0;
}
