// tests/fuzz/csv_fuzz.cpp — libFuzzer entry point for the CSV loader (simdnn::parse_csv); the
// checks are in fuzz_targets.hpp. Built only with -DSIMDNN_BUILD_FUZZERS=ON and clang
// (tools/run-fuzzers.sh).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  simdnn::fuzz::fuzz_csv(data, size);
  return 0;
}
