// tests/model/model_cli_test.cpp — simdnn-predict and simdnn-inspect end to end (the real
// binaries): predictions identical to the library's, evaluation output, standard input, and
// every kind of bad input giving its exit status and a one-line reason.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "model/model_test_support.hpp"
#include "simdnn/model.hpp"
#include "simdnn/predictor.hpp"

namespace simdnn {
namespace {

using testing::count_lines;
using testing::read_file;
using testing::run_result;
using testing::shell_quote;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class model_cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    directory_ = std::filesystem::temp_directory_path() /
                 ("simdnn_model_cli_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::create_directories(directory_);
    classifier_path_ = (directory_ / "iris.simdnn").string();
    save_model(classifier_path_, testing::full_model());
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& content) {
    const std::filesystem::path path = directory_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  run_result run(const char* exe, const std::string& arguments,
                 const std::string& stdin_path = "/dev/null") {
    return testing::run_tool(exe, arguments, stdin_path, directory_);
  }
  run_result predict(const std::string& arguments, const std::string& stdin_path = "/dev/null") {
    return run(SIMDNN_PREDICT_EXE, arguments, stdin_path);
  }
  run_result inspect(const std::string& arguments) { return run(SIMDNN_INSPECT_EXE, arguments); }

  void expect_failure(const run_result& result, int exit_status, const std::string& tool,
                      const std::string& reason) {
    EXPECT_EQ(result.exit_status, exit_status) << result.err;
    EXPECT_EQ(count_lines(result.err), 1u) << result.err;
    EXPECT_TRUE(result.err.starts_with(tool + ": error: ")) << result.err;
    EXPECT_NE(result.err.find(reason), std::string::npos)
        << "stderr: " << result.err << "expected: " << reason;
  }

  // Rows of 4 features from a fixed seed, and the library's outputs for them.
  struct sample_set {
    std::vector<float> features;
    std::vector<float> outputs;
    std::string csv;  // features only, %.9g so the tool reads back the same floats
  };
  static sample_set samples(const model& m, std::size_t rows) {
    sample_set s;
    testing::test_rng rng(17);
    const std::size_t in = m.input_width();
    for (std::size_t i = 0; i < rows * in; ++i) s.features.push_back(rng.uniform(0.0f, 8.0f));
    const predictor p(m);
    s.outputs.resize(rows * m.output_width());
    std::vector<std::byte> workspace(p.workspace_bytes(rows));
    EXPECT_EQ(p.predict_batch(s.features, rows, s.outputs, workspace), status::ok);
    char number[32];
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t i = 0; i < in; ++i) {
        std::snprintf(number, sizeof number, "%.9g", static_cast<double>(s.features[r * in + i]));
        s.csv += (i == 0 ? "" : ",");
        s.csv += number;
      }
      s.csv += '\n';
    }
    return s;
  }
  static std::size_t argmax(std::span<const float> v) {
    return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
  }

  std::filesystem::path directory_;
  std::string classifier_path_;
};

TEST_F(model_cli, predicts_one_class_per_row_like_the_library) {
  const model m = load_model(classifier_path_);
  const auto s = samples(m, 40);
  const run_result result =
      predict(shell_quote(classifier_path_) + " " + shell_quote(write("x.csv", s.csv)));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(result.err.empty());
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 40u) << result.out;
  for (std::size_t r = 0; r < 40; ++r) {
    EXPECT_EQ(lines[r], m.class_names()[argmax(std::span(s.outputs).subspan(r * 3, 3))]);
  }
}

TEST_F(model_cli, values_are_the_librarys_bit_for_bit) {
  const model m = load_model(classifier_path_);
  const auto s = samples(m, 10);
  const run_result result = predict(shell_quote(classifier_path_) + " " +
                                    shell_quote(write("x.csv", s.csv)) + " --values");
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 10u);
  for (std::size_t r = 0; r < 10; ++r) {
    std::istringstream row(lines[r]);
    for (std::size_t j = 0; j < 3; ++j) {
      std::string field;
      std::getline(row, field, ',');
      EXPECT_EQ(std::strtof(field.c_str(), nullptr), s.outputs[r * 3 + j]) << lines[r];
    }
  }
}

TEST_F(model_cli, labelled_rows_give_accuracy_and_confusion_matrix) {
  const model m = load_model(classifier_path_);
  const auto s = samples(m, 30);
  // Label every row with the model's own prediction, except the first, which gets another class.
  std::string csv = "f1,f2,f3,f4,species\n";
  const auto rows = lines_of(s.csv);
  std::size_t first_predicted = 0;
  for (std::size_t r = 0; r < 30; ++r) {
    std::size_t label = argmax(std::span(s.outputs).subspan(r * 3, 3));
    if (r == 0) {
      first_predicted = label;
      label = (label + 1) % 3;
    }
    csv += rows[r] + "," + m.class_names()[label] + "\n";
  }
  const run_result result =
      predict(shell_quote(classifier_path_) + " " + shell_quote(write("l.csv", csv)));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("accuracy 96.67% (29/30)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("confusion matrix (rows: actual, columns: predicted)"),
            std::string::npos);
  EXPECT_NE(result.out.find(m.class_names()[(first_predicted + 1) % 3]), std::string::npos);
  EXPECT_EQ(count_lines(result.out), 2u + 1 + 1 + 3) << result.out;  // ISA, accuracy, title,
                                                                     // header, 3 classes
}

TEST_F(model_cli, iris_trained_saved_and_predicted) {
  const std::string iris = SIMDNN_SOURCE_DIR "/data/iris.csv";
  const std::string saved = (directory_ / "trained.simdnn").string();
  const run_result trained = run(
      SIMDNN_TRAIN_EXE, shell_quote(iris) + " --epochs 500 --quiet --save " + shell_quote(saved));
  ASSERT_EQ(trained.exit_status, 0) << trained.err;
  const run_result result = predict(shell_quote(saved) + " " + shell_quote(iris));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::size_t at = result.out.find("accuracy ");
  ASSERT_NE(at, std::string::npos) << result.out;
  EXPECT_GE(std::stod(result.out.substr(at + 9)), 90.0) << result.out;
  EXPECT_NE(result.out.find("/150)", at), std::string::npos) << result.out;
}

TEST_F(model_cli, reads_standard_input) {
  const model m = load_model(classifier_path_);
  const auto s = samples(m, 5);
  const run_result piped = predict(shell_quote(classifier_path_) + " -", write("x.csv", s.csv));
  const run_result named =
      predict(shell_quote(classifier_path_) + " " + shell_quote(write("y.csv", s.csv)));
  ASSERT_EQ(piped.exit_status, 0) << piped.err;
  EXPECT_EQ(piped.out, named.out);
  EXPECT_EQ(count_lines(piped.out), 5u);
}

TEST_F(model_cli, regression_model_gives_values_and_mean_squared_error) {
  const model m =
      testing::random_model({3, 8, 2}, {activation::sigmoid, activation::identity}, true, 4, true);
  const std::string path = (directory_ / "reg.simdnn").string();
  save_model(path, m);
  const auto s = samples(m, 6);
  const run_result values = predict(shell_quote(path) + " " + shell_quote(write("x.csv", s.csv)));
  ASSERT_EQ(values.exit_status, 0) << values.err;
  EXPECT_EQ(count_lines(values.out), 6u);
  EXPECT_EQ(lines_of(values.out)[0].find(','), lines_of(values.out)[0].rfind(','));  // 2 values
  // Targets equal to the outputs: a mean squared error of 0.
  std::string csv;
  const auto rows = lines_of(s.csv);
  char number[64];
  for (std::size_t r = 0; r < 6; ++r) {
    std::snprintf(number, sizeof number, ",%.9g,%.9g", static_cast<double>(s.outputs[r * 2]),
                  static_cast<double>(s.outputs[r * 2 + 1]));
    csv += rows[r] + number + "\n";
  }
  const run_result scored = predict(shell_quote(path) + " " + shell_quote(write("t.csv", csv)));
  ASSERT_EQ(scored.exit_status, 0) << scored.err;
  EXPECT_NE(scored.out.find("mean squared error 0 (2 outputs per row)"), std::string::npos)
      << scored.out;
}

TEST_F(model_cli, predict_errors) {
  const std::string model_arg = shell_quote(classifier_path_);
  expect_failure(predict(""), 2, "simdnn-predict", "no model file given");
  expect_failure(predict(model_arg), 2, "simdnn-predict", "no data file given");
  expect_failure(predict(model_arg + " a.csv b.csv"), 2, "simdnn-predict", "got 3 files");
  expect_failure(predict(model_arg + " x.csv --frobnicate"), 2, "simdnn-predict",
                 "unknown option \"--frobnicate\"");
  expect_failure(predict(model_arg + " x.csv --label-column"), 2, "simdnn-predict",
                 "--label-column: missing value");
  expect_failure(predict(model_arg + " " + shell_quote((directory_ / "none.csv").string())), 3,
                 "simdnn-predict", "none.csv: cannot open: No such file or directory");
  expect_failure(predict(shell_quote((directory_ / "none.simdnn").string()) + " x.csv"), 3,
                 "simdnn-predict", "none.simdnn: cannot open: No such file or directory");
  expect_failure(predict(model_arg + " " + shell_quote(write("w.csv", "1,2,3,4,5,6\n"))), 3,
                 "simdnn-predict",
                 "rows have 6 columns; the model " + classifier_path_ +
                     " expects 4 (features only) or 5 (features and a label)");
  expect_failure(
      predict(model_arg + " " + shell_quote(write("u.csv", "1,2,3,4,setosa\n1,2,3,4,rose\n"))), 3,
      "simdnn-predict", "line 2, column 5: unknown label \"rose\"");
  expect_failure(predict(model_arg + " " + shell_quote(write("n.csv", "1,2,nan,4\n"))), 3,
                 "simdnn-predict", "n.csv: line 1, column 3: NaN is not allowed");
  // A damaged model file: one flipped bit.
  std::string damaged = read_file(classifier_path_);
  damaged[100] = static_cast<char>(damaged[100] ^ 0x04);
  expect_failure(predict(shell_quote(write("bad.simdnn", damaged)) + " x.csv"), 3, "simdnn-predict",
                 "checksum mismatch");
  expect_failure(predict(shell_quote(write("cut.simdnn", damaged.substr(0, 60))) + " x.csv"), 3,
                 "simdnn-predict", "cut short");
}

TEST_F(model_cli, inspect_describes_the_file) {
  const model m = load_model(classifier_path_);
  const run_result result = inspect(shell_quote(classifier_path_));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::string& out = result.out;
  char checksum[16];
  std::snprintf(checksum, sizeof checksum, "%08x", m.file_info()->checksum);
  EXPECT_NE(out.find("format: simdnn model version 2, little-endian, CRC-32C " +
                     std::string(checksum) + " (verified)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("topology: 4-10-3 (2 layers)"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 1: 4 -> 10, sigmoid, 40 weights + 10 biases"), std::string::npos);
  EXPECT_NE(out.find("layer 2: 10 -> 3, identity, 30 weights + 3 biases"), std::string::npos);
  EXPECT_NE(out.find("bias: yes"), std::string::npos);
  EXPECT_NE(out.find("parameters: 83 (332 bytes)"), std::string::npos);
  EXPECT_NE(out.find("input standardization: yes"), std::string::npos);
  EXPECT_NE(out.find("classes: 3 (setosa, versicolor, virginica)"), std::string::npos);
  EXPECT_NE(out.find("predictor arena: " + std::to_string(predictor::memory_bytes(m)) + " bytes"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("training network arena: "), std::string::npos);
  const run_result piped = run(SIMDNN_INSPECT_EXE, "-", classifier_path_);
  EXPECT_EQ(piped.exit_status, 0) << piped.err;
  EXPECT_NE(piped.out.find("topology: 4-10-3"), std::string::npos);
}

// Activations beyond version 1's two: names, leaky_relu's slope, softmax on the output.
TEST_F(model_cli, inspect_names_every_activation_and_the_leaky_slope) {
  model_parameters p = testing::random_model({5, 8, 6, 4, 3},
                                             {activation::relu, activation::leaky_relu,
                                              activation::tanh, activation::softmax},
                                             true, 6)
                           .parameters();
  p.activation_parameters = {0.0f, 0.2f, 0.0f, 0.0f};
  p.class_names = {"low", "mid", "high"};
  const std::string path = (directory_ / "act.simdnn").string();
  save_model(path, model(p));
  const run_result result = inspect(shell_quote(path));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_NE(out.find("format: simdnn model version 2, little-endian"), std::string::npos) << out;
  EXPECT_NE(out.find("topology: 5-8-6-4-3 (4 layers)"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 1: 5 -> 8, relu, 40 weights + 8 biases"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 2: 8 -> 6, leaky_relu (slope 0.200000003), 48 weights + 6 biases"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("layer 3: 6 -> 4, tanh, 24 weights + 4 biases"), std::string::npos) << out;
  EXPECT_NE(out.find("layer 4: 4 -> 3, softmax, 12 weights + 3 biases"), std::string::npos) << out;
  EXPECT_NE(out.find("classes: 3 (low, mid, high)"), std::string::npos) << out;
  // The default slope, as stored.
  p.activation_parameters.clear();
  save_model(path, model(p));
  const run_result defaulted = inspect(shell_quote(path));
  ASSERT_EQ(defaulted.exit_status, 0) << defaulted.err;
  EXPECT_NE(defaulted.out.find("leaky_relu (slope 0.00999999978)"), std::string::npos)
      << defaulted.out;
}

// A version-1 file (as saved by simdnn 0.2) is described as such.
TEST_F(model_cli, inspect_reads_a_version_1_file) {
  const std::string path = SIMDNN_SOURCE_DIR "/tests/fuzz/corpus/model/v1_iris_4_10_3.simdnn";
  const run_result result = inspect(shell_quote(path));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("format: simdnn model version 1, little-endian"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("layer 1: 4 -> 10, sigmoid"), std::string::npos) << result.out;
}

TEST_F(model_cli, inspect_errors) {
  expect_failure(inspect(""), 2, "simdnn-inspect", "no model file given");
  expect_failure(inspect("a b"), 2, "simdnn-inspect", "expected one model file");
  expect_failure(inspect("--verbose"), 2, "simdnn-inspect", "unknown option \"--verbose\"");
  expect_failure(inspect(shell_quote(write("t.simdnn", "hello"))), 3, "simdnn-inspect",
                 "t.simdnn: byte 0: not a simdnn model file");
  std::string future = read_file(classifier_path_);
  future[8] = 3;  // version 3 (checked before the checksum)
  expect_failure(inspect(shell_quote(write("f.simdnn", future))), 3, "simdnn-inspect",
                 "written by a newer simdnn (format 3, this build reads up to 2)");
  // A bad activation parameter (the checksum made right, so that is what is caught).
  std::vector<std::byte> bytes = serialize_model(testing::full_model());
  testing::put_f32(bytes, testing::at_layer(0) + 12, 0.5f);  // layer 0 is a sigmoid
  testing::reseal(bytes);
  const std::string bad(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  expect_failure(inspect(shell_quote(write("p.simdnn", bad))), 3, "simdnn-inspect",
                 "p.simdnn: byte 52: layer 0: sigmoid parameter 0.5: this activation takes no "
                 "parameter (it must be 0)");
  const run_result help = inspect("--help");
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_TRUE(help.out.starts_with("usage: simdnn-inspect"));
}

}  // namespace
}  // namespace simdnn
