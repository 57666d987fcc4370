// tools/train/options.cpp — simdnn-train's usage text and command-line parser. Every flag's
// range is checked here, so a mistake costs no training run; checks that need the data (the
// --layers widths, a hold-out that leaves no rows) are made by the training modes.
#include "train/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "cli_support.hpp"

namespace simdnn::cli::train {

const char* const usage_text = R"(usage: simdnn-train <data.csv | -> [options]

Trains a dense network to classify the rows of a CSV file ('-' reads standard input).
The label column holds integer or string class labels, indexed in sorted order (numerically for
integers); every other column is a numeric feature. A header row is detected when every feature
field of the first row is a name.

options:
  --layers W0,W1,...,WL  every layer width, input and output included; W0 must equal the number
                         of features and WL the number of classes (default: <features>,10,<classes>)
  --activation A[,A...]  one activation for every hidden layer (the output layer's follows the
                         loss), or one per layer: sigmoid, sigmoid_fast, tanh, relu,
                         leaky_relu[:slope] (default slope 0.01), identity, softmax (output
                         only) (default tanh)
  --loss L               cross_entropy (softmax output), bce (binary cross-entropy on sigmoid
                         outputs) or mse (mean squared error) (default cross_entropy)
  --optimizer O          adam, adamw, sgd, momentum, nesterov or rprop (iRPROP-, whole batch)
                         (default adam)
  --lr X                 learning rate (default: adam/adamw 0.03, sgd 0.5, momentum/nesterov
                         0.1; rprop uses none)
  --momentum X           momentum/nesterov coefficient in [0, 1) (default 0.9)
  --beta1 X, --beta2 X   adam's moment decay rates in [0, 1) (default 0.9, 0.999)
  --weight-decay X       L2 decay (adamw: decoupled) in [0, 1] (default 0)
  --epochs N             passes over the training rows (default 100)
  --batch N              rows per gradient step, at most the training rows (default 32)
  --patience N           stop once the validation loss (the training loss without
                         --validation-fraction) has not improved for N epochs, and keep the
                         best epoch's weights (default: no early stopping)
  --validation-fraction X  share of the training rows held out to validate each epoch, in
                         [0, 1) (default 0)
  --metrics-csv FILE     write one row per epoch: training and validation loss and accuracy,
                         seconds, samples/s
  --plot FILE.svg        write the learning curve (loss and accuracy against epoch, training
                         and validation) as a self-contained SVG picture
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

// "relu", "leaky_relu:0.2" or "relu,tanh,softmax": names from simdnn::activation_name, a
// leaky_relu slope after a colon.
void parse_activations(std::string_view text, options& parsed) {
  parsed.activations.clear();
  parsed.activation_parameters.clear();
  std::size_t begin = 0;
  for (;;) {
    const std::size_t comma = text.find(',', begin);
    std::string_view item = text.substr(begin, comma - begin);
    float parameter = 0.0f;
    bool has_parameter = false;
    if (const std::size_t colon = item.find(':'); colon != std::string_view::npos) {
      parameter = static_cast<float>(parse_real_flag("--activation", item.substr(colon + 1)));
      has_parameter = true;
      item = item.substr(0, colon);
    }
    const std::optional<simdnn::activation> act = simdnn::activation_from_name(item);
    if (!act) {
      throw usage_error("--activation: unknown activation " + in_quotes(item) +
                        " (sigmoid, sigmoid_fast, tanh, relu, leaky_relu[:slope], identity, "
                        "softmax)");
    }
    if (!has_parameter && simdnn::activation_has_parameter(*act)) {
      parameter = simdnn::default_leaky_relu_slope;
    }
    const std::string_view problem = simdnn::activation_parameter_problem(*act, parameter);
    if (!problem.empty()) {
      throw usage_error("--activation: " + in_quotes(item) + ": " + std::string(problem));
    }
    parsed.activations.push_back(*act);
    parsed.activation_parameters.push_back(parameter);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
}

simdnn::loss_function parse_loss(std::string_view text) {
  if (text == "cross_entropy" || text == "softmax_cross_entropy") {
    return simdnn::loss_function::softmax_cross_entropy;
  }
  if (text == "bce" || text == "binary_cross_entropy") {
    return simdnn::loss_function::binary_cross_entropy;
  }
  if (text == "mse" || text == "squared_error") return simdnn::loss_function::squared_error;
  throw usage_error("--loss: expected cross_entropy, bce or mse, got " + in_quotes(text));
}

void parse_optimizer(std::string_view text, simdnn::optimizer_options& o) {
  if (text == "sgd") {
    o.kind = simdnn::optimizer_kind::sgd;
  } else if (text == "momentum" || text == "nesterov") {
    o.kind = simdnn::optimizer_kind::momentum;
    o.nesterov = text == "nesterov";
  } else if (text == "adam") {
    o.kind = simdnn::optimizer_kind::adam;
  } else if (text == "adamw") {
    o.kind = simdnn::optimizer_kind::adamw;
  } else if (text == "rprop") {
    o.kind = simdnn::optimizer_kind::rprop;
  } else {
    throw usage_error("--optimizer: expected adam, adamw, sgd, momentum, nesterov or rprop, got " +
                      in_quotes(text));
  }
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// A real in [low, high) (or [low, high] when `closed`), else usage_error naming the flag.
double parse_real_in(std::string_view flag, std::string_view text, double low, double high,
                     bool closed = false) {
  const double value = parse_real_flag(flag, text);
  if (!(value >= low) || (closed ? value > high : value >= high)) {
    throw usage_error(std::string(flag) + ": expected a number in [" + number_text(low) + ", " +
                      number_text(high) + (closed ? "]" : ")") + ", got " + in_quotes(text));
  }
  return value;
}

// A float in [0, 1): checked after rounding to float, where 0.99999999 becomes 1.
float parse_float_below_one(std::string_view flag, std::string_view text) {
  const auto value = static_cast<float>(parse_real_in(flag, text, 0.0, 1.0));
  if (value >= 1.0f) {
    throw usage_error(std::string(flag) + ": expected a number in [0, 1), got " + in_quotes(text) +
                      " (1 as a float)");
  }
  return value;
}

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

// An output file: its name must not be a directory and its directory must exist, checked before
// training starts, not after it.
void check_output_directory(const char* flag, const std::string& path) {
  const std::filesystem::path file(path);
  const std::filesystem::path directory =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code error;
  if (!file.has_filename() || std::filesystem::is_directory(file, error)) {
    throw usage_error(std::string(flag) + ": " + in_quotes(path) +
                      " is a directory, not a file name");
  }
  if (!std::filesystem::is_directory(directory, error)) {
    throw usage_error(std::string(flag) + ": directory " + in_quotes(directory.string()) +
                      " does not exist");
  }
}

// --save: an output file that must also not be a device, FIFO or socket, through symbolic links
// as save_model follows them: /dev/null and a FIFO are refused before training, not after it.
void check_save_path(const std::string& path) {
  check_output_directory("--save", path);
  std::error_code error;
  const std::filesystem::file_status target =
      std::filesystem::status(std::filesystem::path(path), error);
  if (error && error != std::errc::no_such_file_or_directory) {
    // A symbolic link loop, or a component that is not a directory: save_model would fail too.
    throw usage_error("--save: " + in_quotes(path) + ": " + error.message());
  }
  if (const char* kind = non_regular_kind(target.type())) {
    throw usage_error("--save: " + in_quotes(path) + " is " + kind +
                      ", not a regular file: refusing to replace it");
  }
}

}  // namespace

float default_learning_rate(simdnn::optimizer_kind kind) {
  switch (kind) {
    case simdnn::optimizer_kind::sgd:
      return 0.5f;
    case simdnn::optimizer_kind::momentum:
      return 0.1f;
    case simdnn::optimizer_kind::adam:
    case simdnn::optimizer_kind::adamw:
      return 0.03f;
    case simdnn::optimizer_kind::rprop:
      return 0.0f;  // not used
  }
  return 0.01f;
}

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
      const std::string_view text = arguments.value();
      const double lr = parse_real_flag(flag, text);
      if (!(lr > 0.0) || lr > 1e6 || !(static_cast<float>(lr) >= 1e-30f)) {
        throw usage_error("--lr: expected a positive learning rate in [1e-30, 1e6], got " +
                          in_quotes(text));
      }
      parsed.learning_rate = static_cast<float>(lr);
      fixed_by_notebook();
    } else if (flag == "--activation") {
      parse_activations(arguments.value(), parsed);
      fixed_by_notebook();
    } else if (flag == "--loss") {
      parsed.loss = parse_loss(arguments.value());
      fixed_by_notebook();
    } else if (flag == "--optimizer") {
      parse_optimizer(arguments.value(), parsed.optimizer);
      fixed_by_notebook();
    } else if (flag == "--momentum") {
      parsed.optimizer.momentum = parse_float_below_one(flag, arguments.value());
      fixed_by_notebook();
    } else if (flag == "--weight-decay") {
      parsed.optimizer.weight_decay =
          static_cast<float>(parse_real_in(flag, arguments.value(), 0.0, 1.0, true));
      fixed_by_notebook();
    } else if (flag == "--beta1" || flag == "--beta2") {
      const float beta = parse_float_below_one(flag, arguments.value());
      (flag == "--beta1" ? parsed.optimizer.beta1 : parsed.optimizer.beta2) = beta;
      fixed_by_notebook();
    } else if (flag == "--patience") {
      parsed.patience = parse_integer_flag<std::size_t>(flag, arguments.value(), 1);
      fixed_by_notebook();
    } else if (flag == "--validation-fraction") {
      parsed.validation_fraction = parse_real_in(flag, arguments.value(), 0.0, 1.0);
      fixed_by_notebook();
    } else if (flag == "--metrics-csv") {
      parsed.metrics_csv_path = arguments.value();
      if (parsed.metrics_csv_path.empty()) throw usage_error("--metrics-csv: empty file name");
      fixed_by_notebook();
    } else if (flag == "--plot") {
      parsed.plot_path = arguments.value();
      if (parsed.plot_path.empty()) throw usage_error("--plot: empty file name");
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
  if (!parsed.metrics_csv_path.empty())
    check_output_directory("--metrics-csv", parsed.metrics_csv_path);
  if (!parsed.plot_path.empty()) check_output_directory("--plot", parsed.plot_path);
  if (parsed.learning_rate == 0.0f) {
    parsed.learning_rate = default_learning_rate(parsed.optimizer.kind);
  }
  parsed.optimizer.learning_rate = parsed.learning_rate;
  if (parsed.notebook && !parsed.notebook_conflicts.empty()) {
    throw usage_error("--notebook fixes its own setup; it does not combine with " +
                      parsed.notebook_conflicts.front());
  }
  return parsed;
}

}  // namespace simdnn::cli::train
