// tests/fuzz/onnx_fuzz.cpp — libFuzzer entry point for the ONNX reader (simdnn::parse_onnx),
// built only with -DSIMDNN_BUILD_FUZZERS=ON, clang and simdnn::onnx (tools/run-fuzzers.sh).
//
// Any input must be rejected with an onnx_error or read as a model that obeys simdnn/model.hpp:
// its ONNX form reads back to the same model (serialize_model equal), and a predictor built from
// it runs. Anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "simdnn/model.hpp"
#include "simdnn/onnx.hpp"
#include "simdnn/predictor.hpp"

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  std::optional<simdnn::model> parsed;
  try {
    parsed.emplace(simdnn::parse_onnx(bytes, "fuzz"));
  } catch (const simdnn::onnx_error&) {
    return 0;  // rejected with a diagnosis
  }
  const simdnn::model& m = *parsed;
  if (simdnn::serialize_model(simdnn::parse_onnx(simdnn::serialize_onnx(m), "again")) !=
      simdnn::serialize_model(m)) {
    finding("an accepted ONNX model does not survive its own export");
  }
  const simdnn::predictor p(m);
  std::vector<std::byte> workspace(p.workspace_bytes(2));
  std::vector<float> x(2 * p.input_width(), 0.25f), y(2 * p.output_width());
  if (p.predict_batch(x, 2, y, workspace) != simdnn::status::ok) {
    finding("predict failed on an accepted model");
  }
  return 0;
}
