// simdnn/train.hpp — the training loop: seeded shuffling, mini-batches, validation, per-epoch
// metrics, early stopping, a progress callback.
//
//   simdnn::training_options t;
//   t.epochs = 500;
//   t.patience = 50;
//   t.on_epoch = [](const simdnn::epoch_metrics& m) { std::printf(...); return true; };
//   simdnn::training_report r = simdnn::train(net, train_set, &validation_set, t);
//
// What one epoch does: shuffle the training rows (splitmix64 seeded from options.seed: the same
// seed, network and data give bitwise the same run), run them through network::train_batch in
// batches of batch_size (the last one shorter), then score the validation set, if any, with the
// updated weights. The optimizer is the network's own (network_options::optimizer); with RPROP,
// whose step sizes need whole-batch gradients, an epoch is one batch of every row (batch_size is
// ignored and the network's max_batch must hold the training set).
//
// Metrics: the training loss and accuracy of an epoch are averaged over its batches, each taken
// on the forward pass before that batch's update (Keras' convention: no second pass over the
// data); the validation figures are exact, after the epoch. Accuracy is the fraction of rows
// whose predicted class is the label: the argmax of the outputs, or for a single output the
// output rounded to the nearest class index. Without labels (regression) it is NaN.
//
// Early stopping: with patience p > 0, training stops once the monitored loss (validation if a
// validation set is given, else training) has not improved by more than min_delta for p epochs;
// with restore_best the network's weights and biases are then those of the best epoch (also when
// the last epoch is reached without stopping), and its saved forward pass is of the monitored
// rows with those weights; the optimizer's state (moments, step sizes) stays the last epoch's. The
// callback runs after each epoch's metrics; it returning false stops training after that epoch.
//
// Allocation: train() allocates its buffers (shuffled order, one batch, the best weights) before
// the first epoch and nothing inside the loop but what the callback and the history vector do
// (the history is reserved for every epoch up front).
//
// Errors: std::invalid_argument, before anything changes, for data that does not fit the network
// (feature or target counts, rows, NaN anywhere, labels past the outputs), batch_size 0, a batch
// (batch_size clipped to the training rows; every row with RPROP) above max_batch, epochs 0; a
// status other than ok from the network mid-run (which the checks above rule out) is a
// std::logic_error naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

namespace simdnn {

// Rows for training or validation, row-major, borrowed for the duration of train().
struct training_data {
  std::span<const float> features;        // rows x network input width
  std::span<const float> targets;         // rows x network output width
  std::span<const class_index> labels{};  // rows class indices, or empty (no accuracy)
  std::size_t rows = 0;
  // Classes the labels index: 0 means the output width. Needed when one output encodes the class
  // (the notebook's reading: the output rounded to the nearest index, clamped to the classes).
  std::size_t class_count = 0;
};

// Classification rows from a dataset: its features, its labels, and `targets` (filled here with
// the one-hot targets, one output per class) kept alive by the caller. Throws
// std::invalid_argument for a regression dataset.
[[nodiscard]] training_data classification_data(const dataset& data, std::vector<float>& targets);

struct epoch_metrics {
  std::size_t epoch = 0;  // 1-based
  double train_loss = 0.0;
  double train_accuracy = 0.0;  // in [0, 1]; NaN without labels
  bool has_validation = false;
  double validation_loss = 0.0;      // valid when has_validation
  double validation_accuracy = 0.0;  // valid when has_validation; NaN without labels
  double seconds = 0.0;              // the epoch's training time (validation not included)
  double samples_per_second = 0.0;   // training rows / seconds
};

struct training_options {
  std::size_t epochs = 100;
  std::size_t batch_size = 32;  // clipped to the training rows; ignored with RPROP
  std::uint64_t seed = 1;       // the shuffles' stream
  std::size_t patience = 0;     // 0: no early stopping
  double min_delta = 0.0;       // an improvement must exceed this
  bool restore_best = true;     // with patience > 0: end with the best epoch's parameters
  // Called after each epoch; return false to stop. May be empty.
  std::function<bool(const epoch_metrics&)> on_epoch;
};

struct training_report {
  std::vector<epoch_metrics> history;  // one per epoch run
  std::size_t best_epoch = 0;          // the epoch with the lowest monitored loss (1-based)
  double best_loss = 0.0;
  bool stopped_early = false;      // patience ran out
  bool stopped_by_caller = false;  // on_epoch returned false
  bool restored_best = false;      // the parameters were set back to best_epoch's
};

// Trains `net` on `train_rows`, scoring `validation` (may be null) after each epoch. See above.
training_report train(network& net, const training_data& train_rows,
                      const training_data* validation, const training_options& options);

// Loss and accuracy of `net` over a whole set, in chunks of max_batch rows (a forward pass; the
// network's saved state is overwritten). Loss: mean over the chunks weighted by rows for the mean
// reduction, plain sum for the sum reduction. Accuracy as above (NaN without labels).
// The class one row of outputs predicts, as the metrics read it: the first largest output, or
// for a single output that output rounded to the nearest class index, clamped to [0,
// class_count - 1] (NaN reads as 0). class_count >= 1.
[[nodiscard]] std::size_t predicted_class(std::span<const float> outputs,
                                          std::size_t class_count) noexcept;

struct evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
  std::size_t correct = 0;
};
[[nodiscard]] evaluation evaluate(network& net, const training_data& rows);

}  // namespace simdnn
