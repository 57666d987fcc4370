// tests/fuzz/fuzz_targets.hpp — what the fuzzers check, shared by the libFuzzer entry points
// (model_fuzz.cpp, csv_fuzz.cpp) and by fuzz_regression_test, which replays every kept input
// through exactly the same code in the normal test run.
//
// fuzz_model: any input (and a copy with its size field and CRC made right, so mutations get
// past the checksum) must be rejected with a model_error or accepted as a model that obeys the
// format: serializing it gives back exactly the input (the format has one encoding per model; a
// version-1 input gives its version-2 form: the same header but for the version and the size,
// each 12-byte layer record followed by a parameter of 0.0f, then the same bytes up to the
// checksum), and a predictor built from it runs.
// fuzz_csv: the first byte picks the options (task, header mode, class order, target columns,
// known classes), the rest is the document. It must be rejected with a data_error or give a
// dataset that keeps the promises of simdnn/dataset.hpp: the shape adds up, every feature and
// target is finite, every label names a class.
// Anything else (a crash, a sanitizer report, another exception, a broken promise) is a
// finding: abort, so libFuzzer keeps the input (and the regression test fails on it).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/model.hpp"
#include "simdnn/predictor.hpp"

namespace simdnn::fuzz {

[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

// Whether `again` (a version-2 file) encodes what the version-1 file `data` holds: the layout of
// docs/model-format.md, spelled out here independently of lib/io.
inline bool is_version_2_form(std::span<const std::byte> data, std::span<const std::byte> again) {
  constexpr std::size_t header = 40, checksum = 4;
  const auto u32 = [](std::span<const std::byte> b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint32_t>(b[at + i]);
    return v;
  };
  const std::size_t layers = u32(data, 24);  // accepted: at most 1024
  if (again.size() != data.size() + 4 * layers || u32(again, 8) != 2) return false;
  const auto same = [](std::span<const std::byte> a, std::span<const std::byte> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  };
  if (!same(data.first(8), again.first(8)) || !same(data.subspan(12, 4), again.subspan(12, 4)) ||
      !same(data.subspan(24, header - 24), again.subspan(24, header - 24))) {
    return false;
  }
  for (std::size_t l = 0; l < layers; ++l) {
    if (!same(data.subspan(header + 12 * l, 12), again.subspan(header + 16 * l, 12)) ||
        u32(again, header + 16 * l + 12) != 0) {
      return false;
    }
  }
  const std::size_t rest = header + 12 * layers;
  return same(data.subspan(rest, data.size() - checksum - rest),
              again.subspan(rest + 4 * layers, data.size() - checksum - rest));
}

// One input through the loader and, if accepted, through serialization and a predictor.
inline void check_model_bytes(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  std::optional<simdnn::model> parsed;
  try {
    parsed.emplace(simdnn::parse_model(bytes, "fuzz"));
  } catch (const simdnn::model_error&) {
    return;  // rejected with a diagnosis: the expected outcome for almost every input
  }
  const simdnn::model& m = *parsed;
  const std::vector<std::byte> again = simdnn::serialize_model(m);
  if (m.file_info()->format_version == 1) {
    if (!is_version_2_form(bytes, again)) {
      finding("accepted a version-1 model whose version-2 encoding does not match the input");
    }
    if (simdnn::serialize_model(simdnn::parse_model(again, "fuzz")) != again) {
      finding("a version-1 model's version-2 encoding does not round-trip");
    }
  } else if (again.size() != size || std::memcmp(again.data(), data, size) != 0) {
    finding("accepted a model whose encoding differs from the input");
  }
  const simdnn::predictor p(m);
  std::vector<std::byte> workspace(p.workspace_bytes(2));
  std::vector<float> x(2 * p.input_width(), 0.25f), y(2 * p.output_width());
  if (p.predict_batch(x, 2, y, workspace) != simdnn::status::ok) {
    finding("predict failed on an accepted model");
  }
}

// The input as it is, then with its declared size and checksum made right: a random mutation
// almost never survives the CRC, and the copy lets mutations reach every check behind it.
inline void fuzz_model(const std::uint8_t* data, std::size_t size) {
  check_model_bytes(data, size);
  constexpr std::size_t header = 40, checksum = 4;
  if (size < header + checksum) return;
  std::vector<std::uint8_t> sealed(data, data + size);
  for (std::size_t i = 0; i < 8; ++i) sealed[16 + i] = static_cast<std::uint8_t>(size >> (8 * i));
  const std::uint32_t crc =
      simdnn::crc32c(std::span(reinterpret_cast<const std::byte*>(sealed.data()), size - checksum));
  for (std::size_t i = 0; i < 4; ++i) {
    sealed[size - checksum + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  }
  check_model_bytes(sealed.data(), size);
}

inline void check_dataset(const simdnn::dataset& d) {
  if (d.features().size() != d.rows() * d.feature_count()) finding("features do not fill rows");
  for (const float v : d.features()) {
    if (!std::isfinite(v)) finding("non-finite feature");
  }
  if (d.kind() == simdnn::task::classification) {
    if (d.labels().size() != d.rows()) finding("one label per row broken");
    if (d.class_count() < 1) finding("no classes");
    for (const auto label : d.labels()) {
      if (label >= d.class_count()) finding("label out of range");
    }
  } else {
    if (d.targets().size() != d.rows() * d.target_count()) finding("targets do not fill rows");
    for (const float v : d.targets()) {
      if (!std::isfinite(v)) finding("non-finite target");
    }
  }
}

inline void fuzz_csv(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  simdnn::csv_options options;
  options.kind = (selector & 1) != 0 ? simdnn::task::regression : simdnn::task::classification;
  options.header = static_cast<simdnn::header_row>((selector >> 1) % 3);
  options.order =
      (selector & 8) != 0 ? simdnn::class_order::first_seen : simdnn::class_order::sorted;
  // Target column: the last, the first, or the second (bits 4-5); regression may take two.
  const int which = (selector >> 4) & 3;
  options.target_columns = {which == 0 ? -1 : which == 1 ? 0 : 1};
  if (options.kind == simdnn::task::regression && (selector & 0x40) != 0) {
    options.target_columns = {0, -1};
  }
  if (options.kind == simdnn::task::classification && (selector & 0x80) != 0) {
    options.known_classes = {"a", "b", "0", "1"};
  }
  try {
    check_dataset(simdnn::parse_csv(text, "fuzz", options));
  } catch (const simdnn::data_error&) {
    // rejected with a diagnosis; any other exception escapes and is a finding
  }
}

}  // namespace simdnn::fuzz
