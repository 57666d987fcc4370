// tools/train/options.hpp — simdnn-train's command line: every option with its default, and the
// parser that checks them. Kept apart from training so that what the tool accepts can be read (and
// changed) in one place, without the training loops around it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "simdnn/activation.hpp"
#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

namespace simdnn::cli::train {

// The hidden layers' activation when --activation is not given (README, "Training defaults").
inline constexpr simdnn::activation default_hidden_activation = simdnn::activation::tanh;

// The learning rate an optimizer trains with when --lr is not given.
float default_learning_rate(simdnn::optimizer_kind kind);

// The --help text, printed as it is.
extern const char* const usage_text;

// The optimizer when --optimizer is not given (README, "Training defaults").
inline simdnn::optimizer_options default_optimizer() {
  simdnn::optimizer_options o;
  o.kind = simdnn::optimizer_kind::adam;
  return o;
}

struct options {
  std::string data_path;
  std::vector<std::size_t> layers;  // empty: <features>,10,<classes>
  std::size_t epochs = 100;
  // The model (README, "Training defaults"): hidden activations, the output's follows the loss.
  std::vector<simdnn::activation> activations;  // empty: the default; one: every hidden layer
  std::vector<float> activation_parameters;     // parallel to activations (leaky slopes)
  simdnn::loss_function loss = simdnn::loss_function::softmax_cross_entropy;
  simdnn::optimizer_options optimizer = default_optimizer();  // learning rate below
  float learning_rate = 0.0f;  // 0: the optimizer's default (default_learning_rate)
  std::size_t batch = 32;
  std::size_t patience = 0;          // 0: no early stopping
  double validation_fraction = 0.0;  // of the training rows, held out for early stopping
  std::string metrics_csv_path;      // empty: none
  std::string plot_path;             // empty: none
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
