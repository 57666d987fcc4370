// tools/train/options.cpp — simdnn-train's usage text and command-line parser. Every flag's
// range is checked here, so a mistake costs no training run; checks that need the data (the
// --layers widths, a hold-out that leaves no rows) are made by the training modes.
#include "train/options.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "cli_support.hpp"

namespace simdnn::cli::train {

const char* const usage_text = R"(usage: simdnn-train <data.csv | -> [options]

Trains a dense sigmoid network to classify the rows of a CSV file ('-' reads standard input).
The label column holds integer or string class labels, indexed in sorted order (numerically for
integers); every other column is a numeric feature. A header row is detected when every feature
field of the first row is a name.

options:
  --layers W0,W1,...,WL  every layer width, input and output included; W0 must equal the number
                         of features and WL the number of classes (default: <features>,10,<classes>)
  --epochs N             passes over the training rows (default 1000)
  --lr X                 learning rate on the mean squared error (default 0.5)
  --batch N              rows per gradient step, at most the training rows (default 32)
  --seed N               seeds the weights, the hold-out split and every epoch's shuffle (default 1)
  --test-fraction X      share of rows held out for testing, in [0, 1) (default 0.2)
  --no-standardize       feed raw features (default: z-scores from the training rows' statistics)
  --no-bias              layers without biases
  --label-column I       label column from 0; negative counts from the end (default -1, the last)
  --header, --no-header  the first row is / is not a header (default: detected)
  --notebook             rerun the lecture notebook exactly: 4-10-3-1, no bias, U(-1,1) weights,
                         targets 0/1/2 on one sigmoid output, full batch, lr 0.1 on
                         E = 1/2 sum (y-t)^2, 100 epochs, file order, raw features; only --seed,
                         --report-every, --quiet, --label-column, --header and --save combine
                         with it (its model is saved without class names: one output)
  --save FILE            after training, save the model (with the standardization statistics and
                         the class names) to FILE, atomically; see simdnn-predict, simdnn-inspect
  --report-every N       when stdout is not a terminal, print a progress line every N epochs
                         (default: epochs / 20); a terminal gets one live line instead
  --quiet                no setup or progress lines: only the ISA and the summary
  --help                 this text

exit status: 0 success, 1 internal error, 2 usage error, 3 data error (or the model could not
be saved)
)";

namespace {

double parse_real_flag(std::string_view flag, std::string_view text) {
  double value = 0.0;
  const char* const last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (error != std::errc{} || end != last || !std::isfinite(value)) {
    throw usage_error(std::string(flag) + ": expected a finite number, got " + in_quotes(text));
  }
  return value;
}

std::vector<std::size_t> parse_layers(std::string_view text) {
  std::vector<std::size_t> widths;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view item = text.substr(begin, comma - begin);
    widths.push_back(parse_integer_flag<std::size_t>("--layers", item, 1));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  if (widths.size() < 2) {
    throw usage_error("--layers: need at least an input and an output width, e.g. 4,10,3");
  }
  return widths;
}

// Fails before training, not after it: the directory must exist and the name must not be one.
// What an existing --save target is when it is not a regular file (save_model refuses to replace
// it), or null.
const char* non_regular_kind(std::filesystem::file_type type) noexcept {
  switch (type) {
    case std::filesystem::file_type::character:
      return "a character device";
    case std::filesystem::file_type::block:
      return "a block device";
    case std::filesystem::file_type::fifo:
      return "a FIFO";
    case std::filesystem::file_type::socket:
      return "a socket";
    case std::filesystem::file_type::unknown:
      return "not a regular file";
    default:
      return nullptr;  // regular, absent (a new file, or a dangling link's target), directory
  }
}

void check_save_path(const std::string& path) {
  const std::filesystem::path file(path);
  const std::filesystem::path directory =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code error;
  if (!file.has_filename() || std::filesystem::is_directory(file, error)) {
    throw usage_error("--save: " + in_quotes(path) + " is a directory, not a file name");
  }
  // Through symbolic links, as save_model follows them: /dev/null and a FIFO are refused before
  // training, not after it.
  if (const char* kind = non_regular_kind(std::filesystem::status(file, error).type())) {
    throw usage_error("--save: " + in_quotes(path) + " is " + kind +
                      ", not a regular file: refusing to replace it");
  }
  if (!std::filesystem::is_directory(directory, error)) {
    throw usage_error("--save: directory " + in_quotes(directory.string()) + " does not exist");
  }
}

}  // namespace

options parse_command_line(int argc, char** argv) {
  options parsed;
  simdnn::cli::argument_reader arguments(argc, argv);
  while (arguments.next()) {
    if (arguments.positional()) {
      const std::string_view argument = arguments.text();
      if (!parsed.data_path.empty()) {
        throw usage_error("more than one data file: " + in_quotes(parsed.data_path) + " and " +
                          in_quotes(argument));
      }
      if (argument.empty()) throw usage_error("empty data file name");
      parsed.data_path = argument;
      continue;
    }
    const std::string_view flag = arguments.text();
    auto fixed_by_notebook = [&] { parsed.notebook_conflicts.emplace_back(flag); };

    if (flag == "--help" || flag == "-h") {
      arguments.no_value();
      parsed.help = true;
    } else if (flag == "--layers") {
      parsed.layers = parse_layers(arguments.value());
      fixed_by_notebook();
    } else if (flag == "--epochs") {
      parsed.epochs = parse_integer_flag<std::size_t>(flag, arguments.value(), 1);
      fixed_by_notebook();
    } else if (flag == "--lr") {
      const double lr = parse_real_flag(flag, arguments.value());
      if (!(lr > 0.0) || lr > 1e6) {
        throw usage_error("--lr: expected a positive learning rate, got " + std::to_string(lr));
      }
      parsed.learning_rate = static_cast<float>(lr);
      fixed_by_notebook();
    } else if (flag == "--batch") {
      parsed.batch = parse_integer_flag<std::size_t>(flag, arguments.value(), 1);
      fixed_by_notebook();
    } else if (flag == "--seed") {
      parsed.seed = parse_integer_flag<std::uint64_t>(flag, arguments.value());
    } else if (flag == "--test-fraction") {
      const std::string_view text = arguments.value();
      parsed.test_fraction = parse_real_flag(flag, text);
      if (!(parsed.test_fraction >= 0.0 && parsed.test_fraction < 1.0)) {
        throw usage_error("--test-fraction: expected a number in [0, 1), got " + in_quotes(text));
      }
      fixed_by_notebook();
    } else if (flag == "--no-standardize") {
      arguments.no_value();
      parsed.standardize = false;
      fixed_by_notebook();
    } else if (flag == "--no-bias") {
      arguments.no_value();
      parsed.bias = false;
      fixed_by_notebook();
    } else if (flag == "--label-column") {
      parsed.label_column = parse_integer_flag<std::ptrdiff_t>(flag, arguments.value());
    } else if (flag == "--header") {
      arguments.no_value();
      parsed.header = simdnn::header_row::present;
    } else if (flag == "--no-header") {
      arguments.no_value();
      parsed.header = simdnn::header_row::absent;
    } else if (flag == "--notebook") {
      arguments.no_value();
      parsed.notebook = true;
    } else if (flag == "--report-every") {
      parsed.report_every = parse_integer_flag<std::size_t>(flag, arguments.value(), 1);
    } else if (flag == "--save") {
      parsed.save_path = arguments.value();
      if (parsed.save_path.empty()) throw usage_error("--save: empty file name");
    } else if (flag == "--quiet") {
      arguments.no_value();
      parsed.quiet = true;
    } else {
      throw usage_error("unknown option " + in_quotes(flag));
    }
  }
  if (parsed.help) return parsed;
  if (parsed.data_path.empty()) throw usage_error("no data file given");
  if (!parsed.save_path.empty()) check_save_path(parsed.save_path);
  if (parsed.notebook && !parsed.notebook_conflicts.empty()) {
    throw usage_error("--notebook fixes its own setup; it does not combine with " +
                      parsed.notebook_conflicts.front());
  }
  return parsed;
}

}  // namespace simdnn::cli::train
