// tests/io/report_test.cpp — simdnn-train's report writers (tools/train/report.cpp, compiled in):
// the metrics CSV read back to the same numbers, the learning-curve SVG checked as XML by
// tests/io/check_svg.py (Debian's /usr/bin/python3, skipped without it) and by a C++ scan that
// needs nothing, and the errors for files that cannot be written.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "train/report.hpp"

namespace {

using simdnn::epoch_metrics;
using simdnn::cli::train::write_learning_curve_svg;
using simdnn::cli::train::write_metrics_csv;
using simdnn::testing::read_file;
using simdnn::testing::shell_quote;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr const char* python = "/usr/bin/python3";

// A classifier's run: losses falling, accuracies rising, values with long decimal expansions.
std::vector<epoch_metrics> classification_history(std::size_t epochs, bool validation) {
  std::vector<epoch_metrics> history;
  for (std::size_t e = 1; e <= epochs; ++e) {
    const double t = static_cast<double>(e);
    epoch_metrics m;
    m.epoch = e;
    m.train_loss = 1.3 * std::exp(-t / 9.0) + 0.04 + 0.01 * std::sin(t);
    m.train_accuracy = 1.0 - 0.6 * std::exp(-t / 7.0);
    m.has_validation = validation;
    if (validation) {
      m.validation_loss = 1.2 * std::exp(-t / 11.0) + 0.07 + 0.003 * t / 7.0;
      m.validation_accuracy = 0.97 - 0.55 * std::exp(-t / 8.0);
    }
    m.seconds = 0.0123 + 1e-4 * t / 3.0;
    m.samples_per_second = 150.0 / m.seconds;
    history.push_back(m);
  }
  return history;
}

// Regression: no labels, so every accuracy is NaN.
std::vector<epoch_metrics> regression_history(std::size_t epochs) {
  std::vector<epoch_metrics> history = classification_history(epochs, true);
  for (epoch_metrics& m : history) m.train_accuracy = m.validation_accuracy = nan;
  return history;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    scratch_ = std::filesystem::temp_directory_path() /
               ("simdnn-report-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(scratch_);
    std::filesystem::create_directories(scratch_);
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(scratch_);
  }

  std::filesystem::path scratch_;
};

// ---- CSV -----------------------------------------------------------------------------------

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (const char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

// Rows of fields, the header included; the text must end in a newline.
std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : split(text.substr(0, text.size() - 1), '\n')) {
    rows.push_back(split(line, ','));
  }
  return rows;
}

// A field that must read back to `expected` exactly (NaN to NaN), using all its characters.
void expect_number(const std::string& field, double expected, const std::string& where) {
  ASSERT_FALSE(field.empty()) << where;
  char* end = nullptr;
  const double value = std::strtod(field.c_str(), &end);
  EXPECT_EQ(*end, '\0') << where << ": " << field;
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(value)) << where << ": " << field;
  } else {
    EXPECT_EQ(value, expected) << where << ": " << field;
  }
}

void expect_csv_matches(const std::filesystem::path& file,
                        const std::vector<epoch_metrics>& history) {
  const auto rows = read_csv(file);
  ASSERT_EQ(rows.size(), history.size() + 1);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"epoch", "train_loss", "train_accuracy", "validation_loss",
                                      "validation_accuracy", "seconds", "samples_per_second"}));
  for (std::size_t i = 0; i < history.size(); ++i) {
    const epoch_metrics& m = history[i];
    const std::vector<std::string>& row = rows[i + 1];
    const std::string where = "row " + std::to_string(i + 1);
    ASSERT_EQ(row.size(), 7u) << where;
    EXPECT_EQ(row[0], std::to_string(m.epoch)) << where;
    expect_number(row[1], m.train_loss, where + " train_loss");
    if (std::isnan(m.train_accuracy)) {
      EXPECT_EQ(row[2], "") << where;
    } else {
      expect_number(row[2], m.train_accuracy, where + " train_accuracy");
    }
    if (!m.has_validation) {
      EXPECT_EQ(row[3], "") << where;
      EXPECT_EQ(row[4], "") << where;
    } else {
      expect_number(row[3], m.validation_loss, where + " validation_loss");
      if (std::isnan(m.validation_accuracy)) {
        EXPECT_EQ(row[4], "") << where;
      } else {
        expect_number(row[4], m.validation_accuracy, where + " validation_accuracy");
      }
    }
    expect_number(row[5], m.seconds, where + " seconds");
    expect_number(row[6], m.samples_per_second, where + " samples_per_second");
  }
}

TEST_F(ReportTest, CsvReadsBackToTheSameNumbers) {
  const auto history = classification_history(50, true);
  const auto file = scratch_ / "metrics.csv";
  write_metrics_csv(file, history);
  expect_csv_matches(file, history);
}

TEST_F(ReportTest, CsvLeavesMissingValuesEmpty) {
  // Validation on every fifth epoch only, no labels, and a diverged loss.
  auto history = regression_history(20);
  for (epoch_metrics& m : history) m.has_validation = m.epoch % 5 == 0;
  history[17].train_loss = inf;
  history[18].train_loss = nan;
  const auto file = scratch_ / "metrics.csv";
  write_metrics_csv(file, history);
  expect_csv_matches(file, history);
  const auto rows = read_csv(file);
  EXPECT_EQ(rows[1][3], "");
  EXPECT_NE(rows[5][3], "");
  EXPECT_EQ(rows[18][1], "inf");
  EXPECT_EQ(rows[19][1], "nan");
}

TEST_F(ReportTest, CsvOfNoEpochsIsTheHeader) {
  const auto file = scratch_ / "metrics.csv";
  write_metrics_csv(file, {});
  EXPECT_EQ(read_file(file),
            "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,"
            "samples_per_second\n");
}

// ---- SVG: a scan in C++ --------------------------------------------------------------------

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every start tag closed by its own end tag, in order; the prolog and self-closing tags allowed.
// Returns what went wrong, or "" for a balanced document with one root.
std::string tag_balance_problem(const std::string& text) {
  std::vector<std::string> open;
  std::size_t roots = 0;
  for (std::size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
    const std::size_t end = text.find('>', at);
    if (end == std::string::npos) return "an unterminated tag";
    const std::string tag = text.substr(at + 1, end - at - 1);
    if (tag.starts_with('?')) continue;
    if (tag.starts_with('!')) return "a declaration or comment: " + tag;
    if (tag.starts_with('/')) {
      if (open.empty() || open.back() != tag.substr(1)) return "</" + tag.substr(1) + "> unopened";
      open.pop_back();
      continue;
    }
    if (open.empty()) ++roots;
    if (!tag.ends_with('/')) open.push_back(tag.substr(0, tag.find_first_of(" \n/")));
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

// The number of entries in one series' data-epochs attribute, or -1 without the series.
int series_points(const std::string& svg, const std::string& series) {
  const auto at = svg.find("data-series=\"" + series + "\"");
  if (at == std::string::npos) return -1;
  const std::string key = "data-epochs=\"";
  const auto start = svg.find(key, at) + key.size();
  const std::string epochs = svg.substr(start, svg.find('"', start) - start);
  return epochs.empty() ? 0 : static_cast<int>(count(epochs, " ") + 1);
}

TEST_F(ReportTest, SvgHasTheSeriesAndAxesWithoutPython) {
  const auto file = scratch_ / "curve.svg";
  write_learning_curve_svg(file, classification_history(50, true), "iris: 4-8-3");
  const std::string svg = read_file(file);
  EXPECT_EQ(tag_balance_problem(svg), "");
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 960 400\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 4u);
  for (const char* series :
       {"train_loss", "validation_loss", "train_accuracy", "validation_accuracy"}) {
    EXPECT_EQ(series_points(svg, series), 50) << series;
  }
  EXPECT_EQ(count(svg, ">epoch</text>"), 2u);
  EXPECT_EQ(count(svg, ">loss</text>"), 1u);
  EXPECT_EQ(count(svg, ">accuracy (%)</text>"), 1u);
  EXPECT_EQ(count(svg, "<script"), 0u);
  EXPECT_EQ(count(svg, "href"), 0u);
}

TEST_F(ReportTest, SvgOmitsSeriesThatDoNotExist) {
  const auto file = scratch_ / "curve.svg";
  auto history = regression_history(30);
  history[3].validation_loss = nan;
  history[7].train_loss = inf;
  write_learning_curve_svg(file, history, "regression");
  const std::string svg = read_file(file);
  EXPECT_EQ(tag_balance_problem(svg), "");
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(series_points(svg, "train_loss"), 29);
  EXPECT_EQ(series_points(svg, "validation_loss"), 29);
  EXPECT_EQ(series_points(svg, "train_accuracy"), -1);
  EXPECT_EQ(count(svg, "accuracy-panel"), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 480 400\""), std::string::npos);
}

TEST_F(ReportTest, SvgEscapesTheTitle) {
  const auto file = scratch_ / "curve.svg";
  write_learning_curve_svg(file, classification_history(3, false),
                           "a<b & \"c\" 'd'\n\x01 caf\xC3\xA9 \xFF");
  const std::string svg = read_file(file);
  EXPECT_EQ(tag_balance_problem(svg), "");
  const std::string escaped = "a&lt;b &amp; &quot;c&quot; &apos;d&apos;   caf\xC3\xA9 \xEF\xBF\xBD";
  EXPECT_EQ(count(svg, escaped), 2u) << svg.substr(0, 600);
  EXPECT_EQ(count(svg, "a<b"), 0u);
}

TEST_F(ReportTest, SvgIsDeterministic) {
  const auto history = classification_history(50, true);
  write_learning_curve_svg(scratch_ / "one.svg", history, "run");
  write_learning_curve_svg(scratch_ / "two.svg", history, "run");
  EXPECT_EQ(read_file(scratch_ / "one.svg"), read_file(scratch_ / "two.svg"));
}

TEST_F(ReportTest, SvgOfOneEpochMarksThePoints) {
  const auto file = scratch_ / "curve.svg";
  write_learning_curve_svg(file, classification_history(1, true), "one");
  const std::string svg = read_file(file);
  EXPECT_EQ(tag_balance_problem(svg), "");
  EXPECT_EQ(count(svg, "<polyline"), 4u);
  EXPECT_EQ(count(svg, "<circle class=\"marker\""), 4u);
  EXPECT_EQ(series_points(svg, "validation_accuracy"), 1);
}

// ---- SVG: checked as XML by tests/io/check_svg.py ------------------------------------------

// Runs the checker on `svg` with `arguments`; its output goes to the test's log.
void expect_checker_passes(const std::filesystem::path& svg, const std::string& arguments,
                           const std::filesystem::path& scratch) {
  const auto log = scratch / "check_svg.txt";
  const std::string command = std::string(python) + " " + shell_quote(SIMDNN_SVG_CHECKER) + " " +
                              shell_quote(svg.string()) + " " + arguments + " >" +
                              shell_quote(log.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  const std::string output = read_file(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << output;
  std::printf("%s", output.c_str());
}

#define SKIP_WITHOUT_PYTHON()                                                   \
  if (::access(python, X_OK) != 0)                                              \
  GTEST_SKIP() << python                                                        \
               << " is missing: the SVG's XML check needs it (apt-get install " \
                  "python3-minimal)"

TEST_F(ReportTest, SvgWithValidationPassesTheXmlCheck) {
  SKIP_WITHOUT_PYTHON();
  const auto history = classification_history(50, true);
  write_metrics_csv(scratch_ / "metrics.csv", history);
  write_learning_curve_svg(scratch_ / "curve.svg", history, "iris <4-8-3> & more");
  expect_checker_passes(
      scratch_ / "curve.svg",
      "--title 'iris <4-8-3> & more' --scale linear --csv " +
          shell_quote((scratch_ / "metrics.csv").string()) +
          " --expect train_loss=50 --expect validation_loss=50 --expect train_accuracy=50"
          " --expect validation_accuracy=50",
      scratch_);
}

TEST_F(ReportTest, SvgWithoutValidationOrLabelsPassesTheXmlCheck) {
  SKIP_WITHOUT_PYTHON();
  auto history = classification_history(50, false);
  history[10].train_accuracy = nan;  // a NaN point is skipped
  write_metrics_csv(scratch_ / "metrics.csv", history);
  write_learning_curve_svg(scratch_ / "curve.svg", history, "no validation");
  expect_checker_passes(scratch_ / "curve.svg",
                        "--csv " + shell_quote((scratch_ / "metrics.csv").string()) +
                            " --expect train_loss=50 --expect train_accuracy=49"
                            " --absent validation_loss --absent validation_accuracy",
                        scratch_);

  auto regression = regression_history(50);
  for (epoch_metrics& m : regression) m.has_validation = m.epoch % 5 == 0;
  regression[12].train_loss = nan;
  write_metrics_csv(scratch_ / "metrics.csv", regression);
  write_learning_curve_svg(scratch_ / "curve.svg", regression, "regression");
  expect_checker_passes(scratch_ / "curve.svg",
                        "--csv " + shell_quote((scratch_ / "metrics.csv").string()) +
                            " --expect train_loss=49 --expect validation_loss=10"
                            " --absent train_accuracy --absent validation_accuracy",
                        scratch_);
}

TEST_F(ReportTest, SvgOfLossesOverManyDecadesUsesALogAxis) {
  SKIP_WITHOUT_PYTHON();
  auto history = classification_history(50, true);
  for (epoch_metrics& m : history) {
    m.train_loss = 3.0 * std::pow(10.0, -0.12 * static_cast<double>(m.epoch));
    m.validation_loss = 2.0 * m.train_loss + 1e-6;
  }
  write_metrics_csv(scratch_ / "metrics.csv", history);
  write_learning_curve_svg(scratch_ / "curve.svg", history, "log");
  expect_checker_passes(scratch_ / "curve.svg",
                        "--scale log --csv " + shell_quote((scratch_ / "metrics.csv").string()) +
                            " --expect train_loss=50 --expect validation_loss=50",
                        scratch_);
}

TEST_F(ReportTest, SvgOfOneEpochOrNonePassesTheXmlCheck) {
  SKIP_WITHOUT_PYTHON();
  write_learning_curve_svg(scratch_ / "one.svg", classification_history(1, true), "one");
  expect_checker_passes(scratch_ / "one.svg",
                        "--expect train_loss=1 --expect validation_accuracy=1", scratch_);
  write_learning_curve_svg(scratch_ / "none.svg", {}, "none");
  expect_checker_passes(scratch_ / "none.svg", "--absent train_loss", scratch_);
}

// The checker must be able to fail: a wrong point count, and a document that is not XML.
TEST_F(ReportTest, XmlCheckerRejectsWhatIsWrong) {
  SKIP_WITHOUT_PYTHON();
  write_learning_curve_svg(scratch_ / "curve.svg", classification_history(50, true), "x");
  const auto run = [&](const std::filesystem::path& svg, const std::string& arguments) {
    const std::string command = std::string(python) + " " + shell_quote(SIMDNN_SVG_CHECKER) + " " +
                                shell_quote(svg.string()) + " " + arguments + " >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run(scratch_ / "curve.svg", "--expect train_loss=50"), 0);
  EXPECT_EQ(run(scratch_ / "curve.svg", "--expect train_loss=49"), 1);
  EXPECT_EQ(run(scratch_ / "curve.svg", "--absent validation_loss"), 1);
  EXPECT_EQ(run(scratch_ / "curve.svg", "--scale log"), 1);
  std::string broken = read_file(scratch_ / "curve.svg");
  broken.erase(broken.rfind("</g>"), 4);
  {
    std::FILE* out = std::fopen((scratch_ / "broken.svg").c_str(), "wb");
    ASSERT_NE(out, nullptr);
    std::fwrite(broken.data(), 1, broken.size(), out);
    std::fclose(out);
  }
  EXPECT_EQ(run(scratch_ / "broken.svg", ""), 1);
  EXPECT_NE(tag_balance_problem(broken), "");
}

// ---- errors --------------------------------------------------------------------------------

// Calls `write` and returns the runtime_error's message, or "" when nothing was thrown.
template <class Write>
std::string error_of(Write write) {
  try {
    write();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST_F(ReportTest, UnwritablePathsNameTheFileAndTheReason) {
  const auto history = classification_history(5, true);
  const auto missing = scratch_ / "no-such-directory" / "metrics.csv";
  std::string message = error_of([&] { write_metrics_csv(missing, history); });
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;

  const auto svg = scratch_ / "no-such-directory" / "curve.svg";
  message = error_of([&] { write_learning_curve_svg(svg, history, "t"); });
  EXPECT_NE(message.find(svg.string()), std::string::npos) << message;

  // A directory where the file should be.
  message = error_of([&] { write_learning_curve_svg(scratch_, history, "t"); });
  EXPECT_NE(message.find(scratch_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("Is a directory"), std::string::npos) << message;
}

TEST_F(ReportTest, AFullDiskIsAWriteError) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  const std::string message =
      error_of([] { write_metrics_csv("/dev/full", classification_history(5, true)); });
  EXPECT_NE(message.find("cannot write \"/dev/full\""), std::string::npos) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_TRUE(std::filesystem::exists("/dev/full"));
}

}  // namespace
