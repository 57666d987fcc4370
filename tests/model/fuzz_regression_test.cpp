// tests/model/fuzz_regression_test.cpp — every input the fuzzers keep, replayed in the normal
// test run (and under the asan preset) through exactly the fuzz targets' checks
// (tests/fuzz/fuzz_targets.hpp): the seed corpora (tests/fuzz/corpus/{model,csv}) and every input
// a fuzzer ever crashed on (tests/fuzz/regressions/{model,csv}). A finding aborts the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.hpp"

namespace simdnn {
namespace {

std::filesystem::path directory_of(const std::string& set, const std::string& kind) {
  return std::filesystem::path(SIMDNN_FUZZ_DIR) / set / kind;
}

// The inputs of one folder, sorted; dot files (the .keep markers of empty folders) are not inputs.
std::vector<std::filesystem::path> files_in(const std::string& set, const std::string& kind) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path directory = directory_of(set, kind);
  if (!std::filesystem::is_directory(directory)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& kind, void (*target)(const std::uint8_t*, std::size_t)) {
  // A missing folder would make the replay check nothing while looking green.
  for (const char* set : {"corpus", "regressions"}) {
    ASSERT_TRUE(std::filesystem::is_directory(directory_of(set, kind)))
        << directory_of(set, kind) << " is missing (tests/fuzz/regressions/README.md)";
  }
  const auto seeds = files_in("corpus", kind);
  const auto regressions = files_in("regressions", kind);
  EXPECT_FALSE(seeds.empty()) << "no seed corpus for " << kind;
  for (const auto& files : {seeds, regressions}) {
    for (const auto& file : files) {
      SCOPED_TRACE(file.string());
      const std::vector<std::uint8_t> data = contents(file);
      target(data.data(), data.size());
    }
  }
  std::printf("%s: %zu seeds, %zu regressions replayed\n", kind.c_str(), seeds.size(),
              regressions.size());
}

TEST(FuzzRegression, ModelInputs) {
  replay("model", &fuzz::fuzz_model);
}
TEST(FuzzRegression, CsvInputs) {
  replay("csv", &fuzz::fuzz_csv);
}

// Every seed model is a valid file (they exist to start the fuzzer from deep inside the format).
TEST(FuzzRegression, ModelSeedsAreValid) {
  for (const auto& file : files_in("corpus", "model")) {
    EXPECT_NO_THROW(static_cast<void>(load_model(file))) << file;
  }
}

}  // namespace
}  // namespace simdnn
