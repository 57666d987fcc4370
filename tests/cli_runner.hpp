// tests/cli_runner.hpp — running one of simdnn's command-line tools from a test: the command line
// through the shell, stdin from a file, stdout and stderr captured in files of a scratch directory.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace simdnn::testing {

struct run_result {
  int exit_status = -1;  // -1 when the tool did not exit normally (a signal)
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `text` as one single-quoted shell word.
inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Runs `prefix executable arguments` (prefix: e.g. "valgrind", or empty) with stdin from
// `stdin_path`; stdout and stderr pass through files in `scratch`.
inline run_result run_tool(const std::string& executable, const std::string& arguments,
                           const std::string& stdin_path, const std::filesystem::path& scratch,
                           const std::string& prefix = "") {
  const std::filesystem::path out = scratch / "stdout.txt";
  const std::filesystem::path err = scratch / "stderr.txt";
  const std::string command = prefix + " " + shell_quote(executable) + " " + arguments + " <" +
                              shell_quote(stdin_path) + " >" + shell_quote(out.string()) + " 2>" +
                              shell_quote(err.string());
  const int status = std::system(command.c_str());
  run_result result;
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

}  // namespace simdnn::testing
