// simdnn-predict — run a saved model over the rows of a CSV file.
//
//   simdnn-predict iris.simdnn data/iris.csv     # labelled: accuracy and a confusion matrix
//   simdnn-predict iris.simdnn new_rows.csv      # unlabelled: one predicted class per row
//   cat rows.csv | simdnn-predict model.simdnn - # '-' reads standard input
//
// The data's shape decides what it holds: as many columns as the model has inputs are features
// only (one prediction per row: the class name for a model with class names, else the output
// values); one more column is a label (a classifier's accuracy and confusion matrix; labels must
// be among the model's class names); as many more columns as the model has outputs are targets
// (a model without class names: mean squared error). The model's standardization statistics are
// applied to the features, as in training.
//
// Exit status: 0 success; 1 internal error; 2 usage error; 3 unreadable or malformed model or
// data file. Every error is one line on stderr.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/predictor.hpp"

#include "cli_support.hpp"

namespace {

using simdnn::cli::argmax;
using simdnn::cli::in_quotes;
using simdnn::cli::parse_integer_flag;
using simdnn::cli::usage_error;

constexpr const char* usage_text = R"(usage: simdnn-predict <model.simdnn> <data.csv | -> [options]

Runs a model saved by simdnn-train --save over the rows of a CSV file ('-' reads standard input).
With as many columns as the model has inputs, prints one prediction per row: the class name, or
the output values (comma-separated) for a model without class names. With one more column (a
label among the model's classes), prints the accuracy and the confusion matrix instead; with one
more column per output (targets, for a model without class names), the mean squared error.

options:
  --label-column I       the label column from 0; negative counts from the end (default -1)
  --values               print every row's output values, even for a classifier
  --header, --no-header  the first row is / is not a header (default: detected)
  --help                 this text

exit status: 0 success, 1 internal error, 2 usage error, 3 bad model or data file
)";

struct options {
  std::string model_path;
  std::string data_path;
  std::ptrdiff_t label_column = -1;
  bool label_column_given = false;
  bool values = false;
  simdnn::header_row header = simdnn::header_row::detect;
  bool help = false;
};

options parse_command_line(int argc, char** argv) {
  options parsed;
  std::vector<std::string> positional;
  simdnn::cli::argument_reader arguments(argc, argv);
  while (arguments.next()) {
    if (arguments.positional()) {
      if (arguments.text().empty()) throw usage_error("empty file name");
      positional.emplace_back(arguments.text());
      continue;
    }
    const std::string_view flag = arguments.text();
    if (flag == "--help" || flag == "-h") {
      arguments.no_value();
      parsed.help = true;
    } else if (flag == "--label-column") {
      parsed.label_column = parse_integer_flag<std::ptrdiff_t>(flag, arguments.value());
      parsed.label_column_given = true;
    } else if (flag == "--values") {
      arguments.no_value();
      parsed.values = true;
    } else if (flag == "--header") {
      arguments.no_value();
      parsed.header = simdnn::header_row::present;
    } else if (flag == "--no-header") {
      arguments.no_value();
      parsed.header = simdnn::header_row::absent;
    } else {
      throw usage_error("unknown option " + in_quotes(flag));
    }
  }
  if (parsed.help) return parsed;
  if (positional.size() != 2) {
    throw usage_error(positional.empty() ? "no model file given"
                      : positional.size() == 1
                          ? "no data file given (a CSV path, or - for standard input)"
                          : "expected a model file and a data file, got " +
                                std::to_string(positional.size()) + " files");
  }
  parsed.model_path = positional[0];
  parsed.data_path = positional[1];
  return parsed;
}

// Fields in the first record (the CSV dialect of simdnn/dataset.hpp: a UTF-8 BOM and empty lines
// skipped, commas inside quotes kept, quotes may span lines). Only decides which reading of the
// file to ask the loader for; the loader then checks every row properly.
std::size_t first_record_columns(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t i = 0;
  for (;;) {  // skip empty lines
    std::size_t j = i;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j < text.size() && (text[j] == '\n' || text[j] == '\r')) {
      i = j + 1;
      continue;
    }
    break;
  }
  std::size_t columns = 1;
  bool quoted = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted;  // "" inside quotes toggles twice: no net change
    } else if (!quoted && c == ',') {
      ++columns;
    } else if (!quoted && (c == '\n' || c == '\r')) {
      break;
    }
  }
  return columns;
}

std::string read_text(const options& parsed, std::string& source) {
  if (parsed.data_path == "-") {
    source = "<stdin>";
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    if (std::cin.bad()) throw simdnn::data_error(source, 0, 0, {}, "read error");
    return buffer.str();
  }
  source = parsed.data_path;
  // Read here rather than by load_csv: the column count must be known to choose the reading.
  std::FILE* file = std::fopen(parsed.data_path.c_str(), "rb");
  if (file == nullptr) {
    throw simdnn::data_error(source, 0, 0, {}, std::string("cannot open: ") + std::strerror(errno));
  }
  std::string text;
  char chunk[65536];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw simdnn::data_error(source, 0, 0, {}, "read error");
  return text;
}

void print_values(std::span<const float> values) {
  for (std::size_t j = 0; j < values.size(); ++j) {
    // %.9g: enough digits to read every float back exactly.
    std::printf("%s%.9g", j == 0 ? "" : ",", static_cast<double>(values[j]));
  }
  std::printf("\n");
}

// Every row through the predictor in one call (its workspace is bounded whatever the batch).
std::vector<float> predict_all(const simdnn::predictor& p, std::span<const float> features,
                               std::size_t rows) {
  std::vector<float> outputs(rows * p.output_width());
  if (rows == 0) return outputs;
  std::vector<std::byte> workspace(p.workspace_bytes(rows));
  const simdnn::status s = p.predict_batch(features, rows, outputs, workspace);
  if (s != simdnn::status::ok) {
    throw std::runtime_error(std::string("predict: ") + simdnn::status_message(s));
  }
  return outputs;
}

void print_confusion(const simdnn::model& m, std::span<const simdnn::class_index> labels,
                     std::span<const float> outputs) {
  const std::size_t classes = m.class_names().size();
  const std::size_t rows = labels.size();
  std::vector<std::size_t> counts(classes * classes, 0);
  std::size_t correct = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t predicted = argmax(outputs.subspan(r * classes, classes));
    ++counts[labels[r] * classes + predicted];
    if (predicted == labels[r]) ++correct;
  }
  std::printf("accuracy %.2f%% (%zu/%zu)\n",
              rows == 0 ? 0.0 : 100.0 * static_cast<double>(correct) / static_cast<double>(rows),
              correct, rows);
  // Columns as wide as the longest class name or count, at least 5.
  std::size_t width = 5;
  for (const std::string& name : m.class_names()) width = std::max(width, name.size());
  width = std::max(width, std::to_string(rows).size());
  const int w = static_cast<int>(std::min<std::size_t>(width, 40));
  std::printf("confusion matrix (rows: actual, columns: predicted)\n");
  std::printf("%*s", w, "");
  for (const std::string& name : m.class_names()) std::printf("  %*.*s", w, w, name.c_str());
  std::printf("\n");
  for (std::size_t actual = 0; actual < classes; ++actual) {
    std::printf("%*.*s", w, w, m.class_names()[actual].c_str());
    for (std::size_t predicted = 0; predicted < classes; ++predicted) {
      std::printf("  %*zu", w, counts[actual * classes + predicted]);
    }
    std::printf("\n");
  }
}

int run(const options& parsed) {
  const simdnn::model m = simdnn::load_model(parsed.model_path);
  const simdnn::predictor p(m);
  const std::size_t inputs = m.input_width();
  const std::size_t outputs = m.output_width();
  const bool classifier = !m.class_names().empty();

  std::string source;
  const std::string text = read_text(parsed, source);
  const std::size_t columns = first_record_columns(text);

  simdnn::csv_options csv;
  csv.header = parsed.header;
  if (columns == inputs && !parsed.label_column_given) {
    // Features only. The loader wants a target column: read the last feature as one and put it
    // back (a model with a single input cannot be fed this way; the loader says so).
    csv.kind = simdnn::task::regression;
    csv.target_columns = {-1};
    const simdnn::dataset data = simdnn::parse_csv(text, source, csv);
    const std::size_t rows = data.rows();
    std::vector<float> features(rows * inputs);
    for (std::size_t r = 0; r < rows; ++r) {
      const auto row = data.row(r);
      std::copy(row.begin(), row.end(), features.begin() + static_cast<std::ptrdiff_t>(r * inputs));
      features[r * inputs + inputs - 1] = data.targets()[r];
    }
    const std::vector<float> y = predict_all(p, features, rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const auto row = std::span(y).subspan(r * outputs, outputs);
      if (classifier && !parsed.values) {
        std::printf("%s\n", m.class_names()[argmax(row)].c_str());
      } else {
        print_values(row);
      }
    }
    return 0;
  }
  if (classifier && columns == inputs + 1) {
    csv.kind = simdnn::task::classification;
    csv.target_columns = {parsed.label_column};
    csv.known_classes.assign(m.class_names().begin(), m.class_names().end());
    const simdnn::dataset data = simdnn::parse_csv(text, source, csv);
    const std::vector<float> y = predict_all(p, data.features(), data.rows());
    if (parsed.values) {
      for (std::size_t r = 0; r < data.rows(); ++r) {
        print_values(std::span(y).subspan(r * outputs, outputs));
      }
    }
    std::printf("simdnn-predict: ISA %s, %zu rows of %s\n", simdnn::isa_name(p.kernels()),
                data.rows(), source.c_str());
    print_confusion(m, data.labels(), y);
    return 0;
  }
  if (!classifier && columns == inputs + outputs && !parsed.label_column_given) {
    csv.kind = simdnn::task::regression;
    csv.target_columns.clear();
    for (std::size_t k = outputs; k > 0; --k) {
      csv.target_columns.push_back(-static_cast<std::ptrdiff_t>(k));
    }
    const simdnn::dataset data = simdnn::parse_csv(text, source, csv);
    const std::vector<float> y = predict_all(p, data.features(), data.rows());
    if (parsed.values) {
      for (std::size_t r = 0; r < data.rows(); ++r) {
        print_values(std::span(y).subspan(r * outputs, outputs));
      }
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double error = static_cast<double>(y[i]) - static_cast<double>(data.targets()[i]);
      sum += error * error;
    }
    std::printf("simdnn-predict: ISA %s, %zu rows of %s\n", simdnn::isa_name(p.kernels()),
                data.rows(), source.c_str());
    std::printf("mean squared error %.6g (%zu outputs per row)\n",
                y.empty() ? 0.0 : sum / static_cast<double>(y.size()), outputs);
    return 0;
  }
  if (parsed.label_column_given && columns == inputs) {
    throw simdnn::data_error(source, 0, 0, {},
                             "--label-column given, but rows have only the model's " +
                                 std::to_string(inputs) + " feature columns");
  }
  std::string expected = std::to_string(inputs) + " (features only)";
  if (classifier) expected += " or " + std::to_string(inputs + 1) + " (features and a label)";
  if (!classifier) {
    expected += " or " + std::to_string(inputs + outputs) + " (features and " +
                std::to_string(outputs) + " target" + (outputs == 1 ? ")" : "s)");
  }
  throw simdnn::data_error(source, 0, 0, {},
                           "rows have " + std::to_string(columns) + " columns; the model " +
                               parsed.model_path + " expects " + expected);
}

}  // namespace

int main(int argc, char** argv) {
  return simdnn::cli::run_tool("simdnn-predict", [&] {
    const options parsed = parse_command_line(argc, argv);
    if (parsed.help) {
      std::fputs(usage_text, stdout);
      return 0;
    }
    return run(parsed);
  });
}
