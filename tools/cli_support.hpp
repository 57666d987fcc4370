// tools/cli_support.hpp — what simdnn-train, simdnn-predict and simdnn-inspect share: exit
// statuses and the one-line error report.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace simdnn::cli {

inline constexpr int exit_internal_error = 1;
inline constexpr int exit_usage_error = 2;
inline constexpr int exit_data_error = 3;

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

}  // namespace simdnn::cli
