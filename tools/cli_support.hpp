// tools/cli_support.hpp — what simdnn-train, simdnn-predict and simdnn-inspect share: exit
// statuses, the one-line error report, and the chain that maps what a tool throws to both, so
// the three tools cannot drift apart in how they fail.
#pragma once

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

}  // namespace simdnn::cli
