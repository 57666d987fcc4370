// tests/io/csv_test.cpp — the CSV loader (lib/io/csv.cpp): the accepted dialect, and every
// malformed input giving a data_error that names the source, line, column and reason.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "simdnn/dataset.hpp"

namespace {

using simdnn::csv_options;
using simdnn::data_error;
using simdnn::dataset;

constexpr const char* source_name = "test.csv";

dataset parse(std::string_view text, const csv_options& options = {}) {
  return simdnn::parse_csv(text, source_name, options);
}

std::vector<float> features_of(const dataset& data) {
  return {data.features().begin(), data.features().end()};
}

std::vector<simdnn::class_index> labels_of(const dataset& data) {
  return {data.labels().begin(), data.labels().end()};
}

std::vector<std::string> class_names_of(const dataset& data) {
  return {data.class_names().begin(), data.class_names().end()};
}

csv_options regression_options(std::vector<std::ptrdiff_t> target_columns) {
  csv_options options;
  options.kind = simdnn::task::regression;
  options.target_columns = std::move(target_columns);
  return options;
}

// Parsing `text` must throw a data_error at `line` and `column` (0: none) whose reason contains
// `reason`, and whose message names all of them on a single line.
::testing::AssertionResult fails_with(std::string_view text, std::size_t line, std::size_t column,
                                      std::string_view reason, const csv_options& options = {}) {
  try {
    (void)parse(text, options);
  } catch (const data_error& error) {
    const std::string message = error.what();
    auto failure = [&] {
      return ::testing::AssertionFailure() << "message: " << message << "\n  ";
    };
    if (error.source() != source_name) return failure() << "source " << error.source();
    if (error.line() != line) return failure() << "line " << error.line() << ", expected " << line;
    if (error.column() != column) {
      return failure() << "column " << error.column() << ", expected " << column;
    }
    if (error.reason().find(reason) == std::string::npos) {
      return failure() << "reason lacks \"" << reason << '"';
    }
    if (!message.starts_with(std::string(source_name) + ": ")) return failure() << "no source";
    if (line != 0 && message.find("line " + std::to_string(line)) == std::string::npos) {
      return failure() << "no line";
    }
    if (column != 0 && message.find("column " + std::to_string(column)) == std::string::npos) {
      return failure() << "no column";
    }
    if (message.find(reason) == std::string::npos) return failure() << "no reason";
    if (message.find_first_of("\n\r") != std::string::npos) return failure() << "not one line";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& other) {
    return ::testing::AssertionFailure() << "threw something else: " << other.what();
  }
  return ::testing::AssertionFailure() << "parsed without error";
}

// ------------------------------------------------------------------------------------------------
// Accepted input
// ------------------------------------------------------------------------------------------------

TEST(csv_good, bundled_iris_file) {
  const dataset iris = simdnn::load_csv(SIMDNN_SOURCE_DIR "/data/iris.csv");
  EXPECT_EQ(iris.kind(), simdnn::task::classification);
  ASSERT_EQ(iris.rows(), 150u);
  ASSERT_EQ(iris.feature_count(), 4u);
  EXPECT_EQ(class_names_of(iris), (std::vector<std::string>{"0", "1", "2"}));
  const std::vector<float> first_row = {5.1f, 3.5f, 1.4f, 0.2f};
  EXPECT_EQ(std::vector<float>(iris.row(0).begin(), iris.row(0).end()), first_row);
  const std::vector<float> last_row = {5.9f, 3.0f, 5.1f, 1.8f};
  EXPECT_EQ(std::vector<float>(iris.row(149).begin(), iris.row(149).end()), last_row);
  EXPECT_EQ(iris.labels()[0], 0u);
  EXPECT_EQ(iris.labels()[149], 2u);
  for (simdnn::class_index c = 0; c < 3; ++c) {
    EXPECT_EQ(std::count(iris.labels().begin(), iris.labels().end(), c), 50) << "class " << c;
  }
  EXPECT_EQ(
      std::vector<std::string>(iris.feature_names().begin(), iris.feature_names().end()),
      (std::vector<std::string>{"SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "PetalWidthCm"}));
  EXPECT_EQ(iris.target_names()[0], "Species");
}

TEST(csv_good, without_header) {
  const dataset data = parse("1,2,0\n3,4,1\n");
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(features_of(data), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(labels_of(data), (std::vector<simdnn::class_index>{0, 1}));
  EXPECT_EQ(data.feature_names()[0], "column 1");
  EXPECT_EQ(data.target_names()[0], "column 3");
}

TEST(csv_good, header_detected_only_from_feature_columns) {
  // The label column is not consulted: string labels are not names.
  const dataset data = parse("a,b,label\n1,2,x\n3,4,y\n");
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.feature_names()[1], "b");
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"x", "y"}));
}

TEST(csv_good, header_forced_for_numeric_names) {
  csv_options options;
  options.header = simdnn::header_row::present;
  const dataset data = parse("1990,2000,label\n1,2,0\n3,4,1\n", options);
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.feature_names()[0], "1990");
}

TEST(csv_good, string_labels_sorted_or_first_seen) {
  const std::string text = "1,b\n2,c\n3,a\n4,b\n";
  const dataset sorted = parse(text);
  EXPECT_EQ(class_names_of(sorted), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(labels_of(sorted), (std::vector<simdnn::class_index>{1, 2, 0, 1}));

  csv_options options;
  options.order = simdnn::class_order::first_seen;
  const dataset first_seen = parse(text, options);
  EXPECT_EQ(class_names_of(first_seen), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(labels_of(first_seen), (std::vector<simdnn::class_index>{0, 1, 2, 0}));
}

TEST(csv_good, integer_labels_sort_numerically) {
  const dataset data = parse("1,10\n2,9\n3,-1\n4,2\n");
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"-1", "2", "9", "10"}));
  EXPECT_EQ(labels_of(data), (std::vector<simdnn::class_index>{3, 2, 0, 1}));
}

TEST(csv_good, sorted_order_does_not_depend_on_row_order) {
  const dataset forward = parse("1,0\n2,1\n3,2\n");
  const dataset backward = parse("3,2\n2,1\n1,0\n");
  EXPECT_EQ(class_names_of(forward), class_names_of(backward));
  EXPECT_EQ(labels_of(backward), (std::vector<simdnn::class_index>{2, 1, 0}));
}

TEST(csv_good, label_column_anywhere) {
  csv_options first;
  first.target_columns = {0};
  const dataset data = parse("x,1,2\ny,3,4\n", first);
  EXPECT_EQ(features_of(data), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"x", "y"}));

  csv_options middle;
  middle.target_columns = {-2};
  const dataset data2 = parse("1,x,2\n3,y,4\n", middle);
  EXPECT_EQ(features_of(data2), (std::vector<float>{1, 2, 3, 4}));
}

TEST(csv_good, crlf_and_lone_cr_line_ends) {
  const dataset crlf = parse("a,b,c\r\n1,2,0\r\n3,4,1\r\n");
  EXPECT_EQ(crlf.rows(), 2u);
  EXPECT_EQ(crlf.target_names()[0], "c");  // no '\r' left in the last name
  EXPECT_EQ(class_names_of(crlf), (std::vector<std::string>{"0", "1"}));
  const dataset cr = parse("1,2,0\r3,4,1\r");
  EXPECT_EQ(features_of(cr), (std::vector<float>{1, 2, 3, 4}));
}

TEST(csv_good, utf8_byte_order_mark_skipped) {
  const dataset data = parse("\xEF\xBB\xBFx,y,label\n1,2,0\n3,4,1\n");
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.feature_names()[0], "x");
}

TEST(csv_good, quoted_fields) {
  const dataset data = parse(R"("x, first","y ""2""",label
"1.5",2,"a, b"
3, "4" ,"say ""hi"""
)");
  EXPECT_EQ(data.feature_names()[0], "x, first");
  EXPECT_EQ(data.feature_names()[1], "y \"2\"");
  EXPECT_EQ(features_of(data), (std::vector<float>{1.5f, 2, 3, 4}));
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"a, b", "say \"hi\""}));
}

TEST(csv_good, quoted_field_spanning_lines_keeps_line_numbers) {
  // The label holds a line end; the error two records later must still name the right line.
  const std::string text = "1,2,\"two\nlines\"\n3,4,other\n5,x,other\n";
  EXPECT_TRUE(fails_with(text, 4, 2, "non-numeric field \"x\""));
  const dataset data = parse("1,2,\"two\r\nlines\"\n3,4,other\n");
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"other", "two\r\nlines"}));
}

TEST(csv_good, no_final_newline) {
  const dataset data = parse("1,2,0\n3,4,1");
  EXPECT_EQ(features_of(data), (std::vector<float>{1, 2, 3, 4}));
}

TEST(csv_good, empty_and_blank_lines_skipped) {
  const dataset data = parse("\n\nx,y,l\n\n1,2,0\n  \t \n\r\n3,4,1\n\n   ");
  EXPECT_EQ(data.rows(), 2u);
  // Line numbers still count the skipped lines.
  EXPECT_TRUE(fails_with("\n1,2,0\n\n3,q,1\n", 4, 2, "non-numeric"));
}

TEST(csv_good, spaces_around_fields_ignored) {
  const dataset data = parse(" 1 ,\t2\t, a \n3,4, b\n");
  EXPECT_EQ(features_of(data), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(class_names_of(data), (std::vector<std::string>{"a", "b"}));
}

TEST(csv_good, number_forms) {
  const dataset data = parse("+1.5,-0,.5,5.,1e-3,1E+2,1e-40,3.4028235e38,0\n0,0,0,0,0,0,0,0,1\n");
  const std::span<const float> x = data.row(0);
  EXPECT_EQ(x[0], 1.5f);
  EXPECT_EQ(x[1], 0.0f);
  EXPECT_TRUE(std::signbit(x[1]));
  EXPECT_EQ(x[2], 0.5f);
  EXPECT_EQ(x[3], 5.0f);
  EXPECT_EQ(x[4], 1e-3f);
  EXPECT_EQ(x[5], 100.0f);
  EXPECT_EQ(x[6], 1e-40f);  // subnormal: representable, kept
  EXPECT_EQ(x[7], std::numeric_limits<float>::max());
}

TEST(csv_good, regression_targets_in_option_order) {
  const csv_options options = regression_options({-1, 1});
  const dataset data = parse("f1,t2,f2,t1\n1,20,2,10\n3,40,4,30\n", options);
  EXPECT_EQ(data.kind(), simdnn::task::regression);
  EXPECT_EQ(data.feature_count(), 2u);
  EXPECT_EQ(data.target_count(), 2u);
  EXPECT_EQ(features_of(data), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(std::vector<float>(data.targets().begin(), data.targets().end()),
            (std::vector<float>{10, 20, 30, 40}));
  EXPECT_EQ(data.target_names()[0], "t1");
  EXPECT_EQ(data.target_names()[1], "t2");
  EXPECT_TRUE(data.labels().empty());
  EXPECT_EQ(data.class_count(), 0u);
}

TEST(csv_good, regression_single_class_and_negative_targets_fine) {
  const dataset data = parse("1,-5\n2,-5\n", regression_options({-1}));
  EXPECT_EQ(data.rows(), 2u);
}

TEST(csv_good, known_classes_fix_indices) {
  csv_options options;
  options.known_classes = {"setosa", "versicolor", "virginica"};
  const dataset data = parse("1,virginica\n2,virginica\n", options);  // a subset, one class: fine
  EXPECT_EQ(class_names_of(data), options.known_classes);
  EXPECT_EQ(labels_of(data), (std::vector<simdnn::class_index>{2, 2}));
}

TEST(csv_good, read_from_stream) {
  std::istringstream in("a,b,c\n1,2,x\n3,4,y\n");
  const dataset data = simdnn::read_csv(in, "<stdin>");
  EXPECT_EQ(data.rows(), 2u);
  std::istringstream bad("1,2,x\n3,4\n");
  try {
    (void)simdnn::read_csv(bad, "<stdin>");
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_EQ(error.source(), "<stdin>");
    EXPECT_EQ(std::string(error.what()).rfind("<stdin>: line 2, column 3: ragged row", 0), 0u)
        << error.what();
  }
}

TEST(csv_good, one_megabyte_line) {
  // 262,144 features of "0.25" plus a label: two lines of 1.3 MB each.
  constexpr std::size_t features = std::size_t{1} << 18;
  std::string line;
  for (std::size_t i = 0; i < features; ++i) line += "0.25,";
  std::string text = line + "a\n" + line + "b\n";
  ASSERT_GT(line.size(), std::size_t{1} << 20);
  const dataset data = parse(text);
  EXPECT_EQ(data.feature_count(), features);
  EXPECT_EQ(data.features()[features + 7], 0.25f);
  // A bad field at the far end: its column is reported exactly.
  text[text.size() - 4] = 'z';  // the last feature of the second row, "0.2z"
  EXPECT_TRUE(fails_with(text, 2, features, "non-numeric field \"0.2z\""));
}

TEST(csv_good, one_megabyte_label_is_shortened_in_messages) {
  const std::string huge(std::size_t{1} << 20, 'q');
  csv_options options;
  options.known_classes = {"a", "b"};
  try {
    (void)parse("1," + huge + "\n", options);
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_LT(std::string(error.what()).size(), 200u);
    EXPECT_NE(error.reason().find("qqq...\""), std::string::npos) << error.what();
  }
}

// ------------------------------------------------------------------------------------------------
// Malformed input: each gives a data_error naming source, line, column and reason.
// ------------------------------------------------------------------------------------------------

TEST(csv_errors, ragged_rows) {
  EXPECT_TRUE(fails_with("a,b,c\n1,2,0\n1,2\n", 3, 3, "ragged row: 2 fields, expected 3"));
  EXPECT_TRUE(fails_with("1,2,0\n1,2,0,4\n", 2, 4, "ragged row: 4 fields, expected 3"));
  EXPECT_TRUE(fails_with("1,2,0\n1,2,0,\n", 2, 4, "ragged row"));  // a trailing comma
}

TEST(csv_errors, column_names_appear_after_a_header) {
  EXPECT_TRUE(fails_with("width,height,kind\n1,x,a\n", 2, 2, "non-numeric field \"x\""));
  try {
    (void)parse("width,height,kind\n1,x,a\n");
  } catch (const data_error& error) {
    EXPECT_STREQ(error.what(), "test.csv: line 2, column 2 (height): non-numeric field \"x\"");
    EXPECT_EQ(error.column_name(), "height");
  }
}

TEST(csv_errors, non_numeric_fields) {
  EXPECT_TRUE(fails_with("1,2,0\n1,abc,1\n", 2, 2, "non-numeric field \"abc\""));
  EXPECT_TRUE(fails_with("1,2,0\n1.5x,2,1\n", 2, 1, "non-numeric field \"1.5x\""));
  EXPECT_TRUE(fails_with("1,2,0\n0x10,2,1\n", 2, 1, "non-numeric"));  // no hex
  EXPECT_TRUE(fails_with("1,2,0\n1,2 3,1\n", 2, 2, "non-numeric"));
  EXPECT_TRUE(fails_with("1,2,0\n+-1,2,1\n", 2, 1, "non-numeric"));
  EXPECT_TRUE(fails_with("1,2,0\n1,\"\"\"2\",1\n", 2, 2, "non-numeric"));
  EXPECT_TRUE(fails_with("1,2,0\n1,1e,1\n", 2, 2, "non-numeric"));
  // Regression targets are numbers too.
  EXPECT_TRUE(fails_with("1,2\n3,four\n", 2, 2, "non-numeric", regression_options({-1})));
}

TEST(csv_errors, decimal_comma_is_a_ragged_row) {
  EXPECT_TRUE(fails_with("1.5,2,0\n1,5,2,1\n", 2, 4, "ragged row"));
}

TEST(csv_errors, nan_and_infinity) {
  EXPECT_TRUE(fails_with("1,2,0\n1,nan,1\n", 2, 2, "NaN is not allowed: \"nan\""));
  EXPECT_TRUE(fails_with("1,2,0\nNaN,2,1\n", 2, 1, "NaN"));
  EXPECT_TRUE(fails_with("1,2,0\n-nan(123),2,1\n", 2, 1, "NaN"));
  EXPECT_TRUE(fails_with("1,2,0\n1,inf,1\n", 2, 2, "infinity is not allowed: \"inf\""));
  EXPECT_TRUE(fails_with("1,2,0\n-Infinity,2,1\n", 2, 1, "infinity"));
  EXPECT_TRUE(fails_with("1,2\n3,inf\n", 2, 2, "infinity", regression_options({-1})));
}

TEST(csv_errors, out_of_float_range) {
  EXPECT_TRUE(fails_with("1,2,0\n1,1e39,1\n", 2, 2, "\"1e39\" overflows float"));
  EXPECT_TRUE(fails_with("1,2,0\n-3.5e38,2,1\n", 2, 1, "overflows float"));
  EXPECT_TRUE(fails_with("1,2,0\n1e400,2,1\n", 2, 1, "overflows float"));  // beyond double too
  EXPECT_TRUE(fails_with("1,2,0\n1,1e-50,1\n", 2, 2, "\"1e-50\" underflows float"));
  EXPECT_TRUE(fails_with("1,2,0\n1,1e-400,1\n", 2, 2, "underflows float"));
  EXPECT_TRUE(fails_with("1,2,0\n1,1e39,1\n", 2, 2, "number out of range"));
}

TEST(csv_errors, empty_input) {
  EXPECT_TRUE(fails_with("", 0, 0, "empty file"));
  EXPECT_TRUE(fails_with("\n\r\n  \n", 0, 0, "empty file"));
  EXPECT_TRUE(fails_with("\xEF\xBB\xBF", 0, 0, "empty file"));
}

TEST(csv_errors, header_without_data) {
  EXPECT_TRUE(fails_with("a,b,label\n", 1, 0, "no data rows"));
  EXPECT_TRUE(fails_with("\n\na,b,label\n\n", 3, 0, "no data rows"));
}

TEST(csv_errors, a_single_class) {
  EXPECT_TRUE(fails_with("a,b,label\n1,2,x\n3,4,x\n", 0, 3, "a single class \"x\" in 2 rows"));
}

TEST(csv_errors, empty_fields) {
  EXPECT_TRUE(fails_with("1,2,0\n1,,1\n", 2, 2, "empty field"));
  EXPECT_TRUE(fails_with("1,2,0\n1, ,1\n", 2, 2, "empty field"));
  EXPECT_TRUE(fails_with("1,2,0\n\"\",2,1\n", 2, 1, "empty field"));
  EXPECT_TRUE(fails_with("1,2,0\n1,2,\n", 2, 3, "empty field (no label)"));
  EXPECT_TRUE(fails_with("1,2,0\n1,2,\"\"\n", 2, 3, "empty field (no label)"));
}

TEST(csv_errors, nul_bytes) {
  using namespace std::string_literals;
  EXPECT_TRUE(fails_with("1,2,0\n1,2\0003,1\n"s, 2, 2, "NUL byte"));
  EXPECT_TRUE(fails_with("1,2,0\n1,\"2\0\",1\n"s, 2, 2, "NUL byte"));
  EXPECT_TRUE(fails_with("\0"s, 1, 1, "NUL byte"));
  // UTF-16 without a byte-order mark is full of NULs.
  EXPECT_TRUE(fails_with("1\0,\0002\0,\0000\0\n\0"s, 1, 1, "NUL byte"));
}

TEST(csv_errors, utf16_byte_order_mark) {
  EXPECT_TRUE(
      fails_with("\xFF\xFE"
                 "1\0,\0",
                 1, 0, "UTF-16"));
  EXPECT_TRUE(
      fails_with("\xFE\xFF\0"
                 "1",
                 1, 0, "UTF-16"));
}

TEST(csv_errors, malformed_quotes) {
  EXPECT_TRUE(fails_with("1,2,0\n1,\"2,1\n", 2, 2, "unterminated quoted field"));
  EXPECT_TRUE(fails_with("1,2,0\n1,2\"3,1\n", 2, 2, "quote inside an unquoted field"));
  EXPECT_TRUE(fails_with("1,2,0\n\"1\"x,2,1\n", 2, 1, "character \"x\" after a closing quote"));
  // The opening quote's line is reported, not the end of the file.
  EXPECT_TRUE(fails_with("1,2,0\n1,2,\"x\n\n\n", 2, 3, "unterminated"));
}

TEST(csv_errors, unknown_labels) {
  csv_options options;
  options.known_classes = {"0", "1", "2"};
  EXPECT_TRUE(fails_with("a,b,label\n1,2,0\n3,4,3\n", 3, 3,
                         "unknown label \"3\": not one of the 3 known classes", options));
}

TEST(csv_errors, first_row_mixing_names_and_numbers) {
  // Neither a header (some fields are numbers) nor data: the typo is reported, not dropped.
  EXPECT_TRUE(fails_with("5.1,3..5,0\n4.9,3.0,1\n", 1, 2, "not as a header"));
  EXPECT_TRUE(fails_with("x,3,0\n", 1, 1, "non-numeric field \"x\""));
}

TEST(csv_errors, header_absent_but_present) {
  csv_options options;
  options.header = simdnn::header_row::absent;
  EXPECT_TRUE(fails_with("a,b,c\n1,2,0\n", 1, 1, "non-numeric field \"a\"", options));
}

TEST(csv_errors, too_few_columns_or_missing_target_column) {
  EXPECT_TRUE(fails_with("1\n2\n", 1, 0, "a single column"));
  csv_options options;
  options.target_columns = {5};
  EXPECT_TRUE(fails_with("1,2,0\n", 1, 0, "target column 5 does not exist", options));
  options.target_columns = {-4};
  EXPECT_TRUE(fails_with("1,2,0\n", 1, 0, "target column -4 does not exist", options));
  EXPECT_TRUE(fails_with("1,2\n", 1, 0, "no feature columns", regression_options({0, 1})));
}

TEST(csv_errors, line_numbers_count_crlf_once) {
  EXPECT_TRUE(fails_with("a,b,c\r\n1,2,0\r\n\r\n1,2,x,4\r\n", 4, 4, "ragged row"));
}

TEST(csv_errors, messages_stay_on_one_line) {
  // Control characters from the file are escaped in the reason.
  EXPECT_TRUE(fails_with("1,2,0\n1,\"a\nb\",1\n", 2, 2, "non-numeric field \"a\\nb\""));
  EXPECT_TRUE(fails_with("1,2,0\n1,\x01,1\n", 2, 2, "non-numeric field \"\\x01\""));
  try {
    (void)simdnn::parse_csv("", "bad\nname.csv");
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_STREQ(error.what(), "bad\\nname.csv: empty file: no rows");
  }
}

TEST(csv_errors, contradictory_options_are_invalid_arguments) {
  csv_options two_labels;
  two_labels.target_columns = {0, 1};
  EXPECT_THROW((void)parse("1,2,0\n", two_labels), std::invalid_argument);
  csv_options none = regression_options({});
  EXPECT_THROW((void)parse("1,2,0\n", none), std::invalid_argument);
  EXPECT_THROW((void)parse("1,2,0\n", regression_options({1, -2})), std::invalid_argument);
  csv_options duplicate_classes;
  duplicate_classes.known_classes = {"a", "a"};
  EXPECT_THROW((void)parse("1,a\n", duplicate_classes), std::invalid_argument);
  csv_options known_for_regression = regression_options({-1});
  known_for_regression.known_classes = {"a", "b"};
  EXPECT_THROW((void)parse("1,2\n", known_for_regression), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------

class csv_file : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string test_name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    directory_ = std::filesystem::temp_directory_path() /
                 ("simdnn_csv_test_" + std::to_string(getpid()) + "_" + test_name);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    const std::filesystem::path path = directory_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path directory_;
};

TEST_F(csv_file, errors_name_the_path) {
  const std::filesystem::path path = write("bad.csv", "a,b,c\n1,2,0\n3,4\n");
  try {
    (void)simdnn::load_csv(path);
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_EQ(error.source(), path.string());
    EXPECT_EQ(std::string(error.what()), path.string() +
                                             ": line 3, column 3 (c): ragged row: 2 "
                                             "fields, expected 3 as on line 1");
  }
}

TEST_F(csv_file, missing_file) {
  const std::filesystem::path path = directory_ / "missing.csv";
  try {
    (void)simdnn::load_csv(path);
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_EQ(error.source(), path.string());
    EXPECT_EQ(error.line(), 0u);
    EXPECT_NE(error.reason().find("cannot open: No such file"), std::string::npos) << error.what();
  }
}

TEST_F(csv_file, directory) {
  try {
    (void)simdnn::load_csv(directory_);
    FAIL() << "no error";
  } catch (const data_error& error) {
    EXPECT_NE(error.reason().find("cannot"), std::string::npos) << error.what();
  }
}

TEST_F(csv_file, empty_file) {
  const std::filesystem::path path = write("empty.csv", "");
  EXPECT_THROW((void)simdnn::load_csv(path), data_error);
}

}  // namespace
