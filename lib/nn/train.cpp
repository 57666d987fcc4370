// lib/nn/train.cpp — simdnn::train and simdnn::evaluate: the training loop of simdnn/train.hpp.
//
// Setup checks every shape and value and allocates every buffer; the epoch loop then only
// gathers rows, calls the network's noexcept hot paths and records metrics.
#include "simdnn/train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "common/finite.hpp"
#include "simdnn/random.hpp"

namespace simdnn {

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("simdnn::train: " + what);
}

[[noreturn]] void network_failed(const char* call, status s) {
  throw std::logic_error(std::string("simdnn::train: ") + call +
                         " failed after every check: " + status_message(s));
}

std::size_t classes_of(const network& net, const training_data& data) noexcept {
  return data.class_count != 0 ? data.class_count : net.output_width();
}

void check_data(const network& net, const training_data& data, const char* which) {
  const std::string name = which;
  if (data.rows == 0) fail(name + " has no rows");
  if (data.features.size() != data.rows * net.input_width()) {
    fail(name + ": " + std::to_string(data.features.size()) + " feature values for " +
         std::to_string(data.rows) + " rows of " + std::to_string(net.input_width()) + " inputs");
  }
  if (data.targets.size() != data.rows * net.output_width()) {
    fail(name + ": " + std::to_string(data.targets.size()) + " target values for " +
         std::to_string(data.rows) + " rows of " + std::to_string(net.output_width()) + " outputs");
  }
  if (!detail::all_finite(data.features.data(), data.features.size())) {
    fail(name + ": NaN or infinity in the features");
  }
  if (!detail::all_finite(data.targets.data(), data.targets.size())) {
    fail(name + ": NaN or infinity in the targets");
  }
  if (data.labels.empty()) return;
  if (data.labels.size() != data.rows) {
    fail(name + ": " + std::to_string(data.labels.size()) + " labels for " +
         std::to_string(data.rows) + " rows");
  }
  const std::size_t classes = classes_of(net, data);
  if (net.output_width() > 1 && classes != net.output_width()) {
    fail(name + ": class_count " + std::to_string(classes) + " but the network has " +
         std::to_string(net.output_width()) + " outputs (one per class)");
  }
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (data.labels[r] >= classes) {
      fail(name + ": row " + std::to_string(r) + " has label " + std::to_string(data.labels[r]) +
           ", past the " + std::to_string(classes) + " classes");
    }
  }
}

std::size_t count_correct(std::span<const float> outputs, std::size_t width,
                          std::span<const class_index> labels, std::size_t classes) noexcept {
  std::size_t correct = 0;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    if (predicted_class(outputs.subspan(r * width, width), classes) == labels[r]) ++correct;
  }
  return correct;
}

// The network's parameters as one run of floats (weights then biases, layer by layer).
void copy_parameters(const network& net, std::vector<float>& out) {
  out.clear();
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    out.insert(out.end(), net.weights(l).begin(), net.weights(l).end());
    out.insert(out.end(), net.biases(l).begin(), net.biases(l).end());
  }
}

void restore_parameters(network& net, const std::vector<float>& saved) noexcept {
  auto from = saved.begin();
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    const std::span<float> w = net.weights(l);
    const std::span<float> b = net.biases(l);
    std::copy(from, from + static_cast<std::ptrdiff_t>(w.size()), w.begin());
    from += static_cast<std::ptrdiff_t>(w.size());
    std::copy(from, from + static_cast<std::ptrdiff_t>(b.size()), b.begin());
    from += static_cast<std::ptrdiff_t>(b.size());
  }
}

double seconds_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::size_t predicted_class(std::span<const float> y, std::size_t classes) noexcept {
  if (y.size() == 1) {
    const double nearest = std::nearbyint(static_cast<double>(y[0]));
    if (!(nearest >= 0.0)) return 0;  // also NaN
    return static_cast<std::size_t>(std::min(nearest, static_cast<double>(classes - 1)));
  }
  return static_cast<std::size_t>(std::max_element(y.begin(), y.end()) - y.begin());
}

training_data classification_data(const dataset& data, std::vector<float>& targets) {
  if (data.kind() != task::classification) {
    throw std::invalid_argument("simdnn::classification_data: the dataset is a regression set");
  }
  targets = one_hot(data.labels(), data.class_count());
  return training_data{data.features(), targets, data.labels(), data.rows(), data.class_count()};
}

namespace {

// evaluate() on rows already checked: allocation-free, so the epoch loop can call it.
evaluation evaluate_checked(network& net, const training_data& rows) {
  evaluation result;
  const std::size_t inputs = net.input_width();
  const std::size_t outputs = net.output_width();
  const bool mean = net.reduction() == loss_reduction::mean;
  for (std::size_t start = 0; start < rows.rows; start += net.max_batch()) {
    const std::size_t count = std::min(net.max_batch(), rows.rows - start);
    const auto forward = net.forward(rows.features.subspan(start * inputs, count * inputs), count);
    if (!forward) network_failed("forward", forward.error);
    const auto loss = net.loss(rows.targets.subspan(start * outputs, count * outputs));
    if (!loss) network_failed("loss", loss.error);
    result.loss += mean ? static_cast<double>(loss.value) * static_cast<double>(count)
                        : static_cast<double>(loss.value);
    if (!rows.labels.empty()) {
      result.correct += count_correct(forward.value, outputs, rows.labels.subspan(start, count),
                                      classes_of(net, rows));
    }
  }
  if (mean) result.loss /= static_cast<double>(rows.rows);
  result.accuracy = rows.labels.empty()
                        ? std::numeric_limits<double>::quiet_NaN()
                        : static_cast<double>(result.correct) / static_cast<double>(rows.rows);
  return result;
}

}  // namespace

evaluation evaluate(network& net, const training_data& rows) {
  if (net.layer_count() == 0) throw std::invalid_argument("simdnn::evaluate: empty network");
  check_data(net, rows, "evaluation data");
  return evaluate_checked(net, rows);
}

training_report train(network& net, const training_data& train_rows,
                      const training_data* validation, const training_options& options) {
  if (net.layer_count() == 0) fail("the network is empty (moved from)");
  check_data(net, train_rows, "training data");
  if (validation != nullptr) check_data(net, *validation, "validation data");
  if (options.epochs == 0) fail("epochs is 0");
  if (options.batch_size == 0) fail("batch_size is 0");
  if (!(options.min_delta >= 0.0)) fail("min_delta must be >= 0");
  const std::size_t rows = train_rows.rows;
  const bool whole_batch = net.optimizer().kind == optimizer_kind::rprop;
  const std::size_t batch = whole_batch ? rows : std::min(options.batch_size, rows);
  if (batch > net.max_batch()) {
    fail(std::string(whole_batch ? "rprop trains on every row at once: " : "") + "batches of " +
         std::to_string(batch) + " rows exceed the network's max_batch " +
         std::to_string(net.max_batch()));
  }

  // Everything the loop touches, allocated here.
  const std::size_t inputs = net.input_width();
  const std::size_t outputs = net.output_width();
  const std::size_t classes = classes_of(net, train_rows);
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<float> batch_inputs(batch * inputs);
  std::vector<float> batch_targets(batch * outputs);
  std::vector<class_index> batch_labels(train_rows.labels.empty() ? 0 : batch);
  const bool keep_best = options.patience > 0 && options.restore_best;
  std::vector<float> best_parameters;
  if (keep_best) best_parameters.reserve(net.parameter_count());
  training_report report;
  report.history.reserve(options.epochs);
  report.best_loss = std::numeric_limits<double>::infinity();
  const bool mean = net.reduction() == loss_reduction::mean;

  splitmix64 rng(options.seed);
  std::size_t epochs_without_improvement = 0;
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const clock_type::time_point start = clock_type::now();
    shuffle(order, rng);
    double loss_sum = 0.0;
    std::size_t correct = 0;
    for (std::size_t first = 0; first < rows; first += batch) {
      const std::size_t count = std::min(batch, rows - first);
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t row = order[first + i];
        std::copy_n(train_rows.features.begin() + static_cast<std::ptrdiff_t>(row * inputs), inputs,
                    batch_inputs.begin() + static_cast<std::ptrdiff_t>(i * inputs));
        std::copy_n(train_rows.targets.begin() + static_cast<std::ptrdiff_t>(row * outputs),
                    outputs, batch_targets.begin() + static_cast<std::ptrdiff_t>(i * outputs));
        if (!batch_labels.empty()) batch_labels[i] = train_rows.labels[row];
      }
      const auto step =
          net.train_batch(std::span<const float>(batch_inputs).first(count * inputs),
                          std::span<const float>(batch_targets).first(count * outputs), count);
      if (!step) network_failed("train_batch", step.error);
      loss_sum += mean ? static_cast<double>(step.value) * static_cast<double>(count)
                       : static_cast<double>(step.value);
      if (!batch_labels.empty()) {
        correct += count_correct(net.outputs(), outputs,
                                 std::span<const class_index>(batch_labels).first(count), classes);
      }
    }
    epoch_metrics m;
    m.epoch = epoch;
    m.seconds = seconds_between(start, clock_type::now());
    m.samples_per_second =
        m.seconds > 0.0 ? static_cast<double>(rows) / m.seconds : static_cast<double>(rows) * 1e9;
    m.train_loss = mean ? loss_sum / static_cast<double>(rows) : loss_sum;
    m.train_accuracy = batch_labels.empty()
                           ? std::numeric_limits<double>::quiet_NaN()
                           : static_cast<double>(correct) / static_cast<double>(rows);
    if (validation != nullptr) {
      const evaluation v = evaluate_checked(net, *validation);
      m.has_validation = true;
      m.validation_loss = v.loss;
      m.validation_accuracy = v.accuracy;
    }
    report.history.push_back(m);

    const double monitored = m.has_validation ? m.validation_loss : m.train_loss;
    if (monitored < report.best_loss - options.min_delta) {
      report.best_loss = monitored;
      report.best_epoch = epoch;
      epochs_without_improvement = 0;
      if (keep_best) copy_parameters(net, best_parameters);
    } else {
      ++epochs_without_improvement;
    }
    if (options.on_epoch && !options.on_epoch(m)) {
      report.stopped_by_caller = true;
      break;
    }
    if (options.patience > 0 && epochs_without_improvement >= options.patience) {
      report.stopped_early = true;
      break;
    }
  }
  if (keep_best && report.best_epoch != 0 && report.best_epoch != report.history.size()) {
    restore_parameters(net, best_parameters);
    report.restored_best = true;
    // The network's saved forward pass (and outputs()) came from the last epoch's weights: score
    // the monitored rows again, so what backward() or loss() would see matches the weights.
    static_cast<void>(evaluate_checked(net, validation != nullptr ? *validation : train_rows));
  }
  return report;
}

}  // namespace simdnn
