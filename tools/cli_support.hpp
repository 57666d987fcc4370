// tools/cli_support.hpp — what simdnn-train, simdnn-predict and simdnn-inspect share: exit
// statuses, the one-line error report and the chain that maps what a tool throws to both; the
// command-line walk and flag parsing; and the few lines of output more than one tool prints. One
// copy of each, so the tools cannot drift apart in how they read arguments, fail or describe a
// network.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "simdnn/activation.hpp"
#include "simdnn/dataset.hpp"
#include "simdnn/model.hpp"

namespace simdnn::cli {

inline constexpr int exit_internal_error = 1;
inline constexpr int exit_usage_error = 2;
inline constexpr int exit_data_error = 3;

// A problem with the command line, or with flags that do not fit the data: exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "text", in messages that quote what the user typed.
inline std::string in_quotes(std::string_view text) {
  return '"' + std::string(text) + '"';
}

// "<program>: error: <message><hint>" on stderr, after flushing stdout. Error messages are single
// lines; a newline that slipped into one (from a file name, say) must not break that.
inline void print_error(std::string_view program, std::string_view message,
                        std::string_view hint = {}) {
  std::string line(program);
  line += ": error: ";
  for (const char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += hint;
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Runs a tool's whole body (parsing included) and returns its exit status: the body's own, or the
// status of what it threw, reported as one line. A usage error points at --help; a data or model
// error (unreadable or malformed input, or a model that could not be written, which leaves any
// old file intact) is the user's to fix, not ours, hence 3 rather than 1.
template <class Body>
int run_tool(std::string_view program, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const usage_error& error) {
    print_error(program, error.what(), " (see " + std::string(program) + " --help)");
    return exit_usage_error;
  } catch (const simdnn::data_error& error) {
    print_error(program, error.what());
    return exit_data_error;
  } catch (const simdnn::model_error& error) {
    print_error(program, error.what());
    return exit_data_error;
  } catch (const std::exception& error) {
    print_error(program, error.what());
    return exit_internal_error;
  }
}

// Walks a command line the way every tool reads one: "--" ends the flags; "-" (standard input) and
// anything not starting with '-' are positional; a flag's value is inline (--flag=value) or the
// next argument, whatever that looks like, so "--lr -1" reaches the range check rather than being
// taken for a flag.
class argument_reader {
 public:
  argument_reader(int argc, char** argv) noexcept : argc_(argc), argv_(argv) {}

  // Moves to the next positional argument or flag; false after the last.
  bool next() {
    for (;;) {
      if (++index_ >= argc_) return false;
      const std::string_view argument = argv_[index_];
      if (positional_only_ || argument == "-" || !argument.starts_with("-")) {
        positional_ = true;
        flag_ = argument;
        has_inline_value_ = false;
        return true;
      }
      if (argument == "--") {
        positional_only_ = true;
        continue;
      }
      positional_ = false;
      flag_ = argument;
      inline_value_ = {};
      has_inline_value_ = false;
      if (const std::size_t equals = argument.find('='); equals != std::string_view::npos) {
        flag_ = argument.substr(0, equals);
        inline_value_ = argument.substr(equals + 1);
        has_inline_value_ = true;
      }
      return true;
    }
  }

  [[nodiscard]] bool positional() const noexcept { return positional_; }
  // The positional argument, or the flag without its inline value.
  [[nodiscard]] std::string_view text() const noexcept { return flag_; }

  // The current flag's value; consumes the next argument unless the value was inline.
  std::string_view value() {
    if (has_inline_value_) return inline_value_;
    if (index_ + 1 >= argc_) throw usage_error(std::string(flag_) + ": missing value");
    return argv_[++index_];
  }

  // For flags that take none: "--quiet=1" is a mistake, not a quiet run.
  void no_value() const {
    if (has_inline_value_) throw usage_error(std::string(flag_) + " takes no value");
  }

 private:
  int argc_;
  char** argv_;
  int index_ = 0;
  bool positional_only_ = false;
  bool positional_ = false;
  std::string_view flag_;
  std::string_view inline_value_;
  bool has_inline_value_ = false;
};

// The whole of `text` as an integer no less than `minimum`.
template <class Integer>
Integer parse_integer_flag(std::string_view flag, std::string_view text,
                           Integer minimum = std::numeric_limits<Integer>::min()) {
  Integer value{};
  const char* const last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (error != std::errc{} || end != last || value < minimum) {
    const std::string expected = minimum == std::numeric_limits<Integer>::min()
                                     ? "an integer"
                                     : "an integer >= " + std::to_string(minimum);
    throw usage_error(std::string(flag) + ": expected " + expected + ", got " + in_quotes(text));
  }
  return value;
}

// "4-10-3": a topology as the tools print it.
inline std::string join_widths(std::span<const std::size_t> widths) {
  std::string text;
  for (const std::size_t width : widths) {
    if (!text.empty()) text += '-';
    text += std::to_string(width);
  }
  return text;
}

// "relu", or "leaky_relu (slope 0.01)" for an activation that takes a parameter: a model's layer
// as simdnn-inspect and simdnn-convert print it.
inline std::string activation_text(const model& m, std::size_t layer) {
  const activation a = m.layer_activation(layer);
  std::string text = activation_name(a);
  if (activation_has_parameter(a)) {
    char slope[48];
    std::snprintf(slope, sizeof slope, " (slope %.9g)",
                  static_cast<double>(m.layer_activation_parameter(layer)));
    text += slope;
  }
  return text;
}

// "setosa, versicolor, virginica", at most ten of them then ", ...": a label column with hundreds
// of values (the wrong column, say) must not flood the terminal.
inline void print_class_names(std::span<const std::string> names) {
  constexpr std::size_t names_shown = 10;
  for (std::size_t c = 0; c < std::min(names.size(), names_shown); ++c) {
    std::printf("%s%s", c == 0 ? "" : ", ", names[c].c_str());
  }
  std::printf("%s", names.size() > names_shown ? ", ..." : "");
}

// The predicted class of a classifier's outputs: the first largest.
inline std::size_t argmax(std::span<const float> values) {
  return static_cast<std::size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

}  // namespace simdnn::cli
