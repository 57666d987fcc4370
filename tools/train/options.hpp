// tools/train/options.hpp — simdnn-train's command line: every option with its default, and the
// parser that checks them. Kept apart from training so that what the tool accepts can be read (and
// changed) in one place, without the training loops around it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "simdnn/dataset.hpp"

namespace simdnn::cli::train {

// The --help text, printed as it is.
extern const char* const usage_text;

struct options {
  std::string data_path;
  std::vector<std::size_t> layers;  // empty: <features>,10,<classes>
  std::size_t epochs = 1000;
  float learning_rate = 0.5f;
  std::size_t batch = 32;
  std::uint64_t seed = 1;
  double test_fraction = 0.2;
  bool standardize = true;
  bool bias = true;
  std::ptrdiff_t label_column = -1;
  simdnn::header_row header = simdnn::header_row::detect;
  bool notebook = false;
  std::size_t report_every = 0;  // 0: epochs / 20
  std::string save_path;         // empty: do not save
  bool quiet = false;
  bool help = false;
  // Flags the notebook fixes itself, as typed, to name them if combined with --notebook.
  std::vector<std::string> notebook_conflicts;
};

// The options on `argv`, or usage_error for anything wrong with them, including a --save
// directory that does not exist (found before training, not after it). With --help, nothing else
// is checked.
options parse_command_line(int argc, char** argv);

}  // namespace simdnn::cli::train
