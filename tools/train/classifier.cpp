// tools/train/classifier.cpp — simdnn-train's default mode: one-hot classification with a
// hold-out split (see modes.hpp), trained by the library's loop (simdnn::train).
#include "train/modes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"
#include "simdnn/train.hpp"

#include "cli_support.hpp"
#include "train/io.hpp"
#include "train/progress.hpp"
#include "train/report.hpp"

namespace simdnn::cli::train {
namespace {

std::vector<std::size_t> checked_widths(const options& parsed, const simdnn::dataset& data) {
  const std::size_t features = data.feature_count();
  const std::size_t classes = data.class_count();
  std::vector<std::size_t> widths = parsed.layers;
  if (widths.empty()) widths = {features, 10, classes};
  if (widths.front() != features) {
    throw usage_error("--layers: the input width is " + std::to_string(widths.front()) +
                      " but the data has " + std::to_string(features) + " feature columns");
  }
  if (widths.back() != classes) {
    throw usage_error("--layers: the output width is " + std::to_string(widths.back()) +
                      " but the data has " + std::to_string(classes) +
                      " classes (one output per class)");
  }
  return widths;
}

// The output layer's activation for a loss: the one it needs (softmax for the cross-entropy),
// sigmoid for the others.
simdnn::activation output_activation_for(simdnn::loss_function loss) {
  return loss == simdnn::loss_function::softmax_cross_entropy ? simdnn::activation::softmax
                                                              : simdnn::activation::sigmoid;
}

// --activation: one name for every hidden layer (the output's follows the loss), or one per
// layer. Default: tanh hidden layers (README, "Training defaults").
void choose_activations(const options& parsed, std::size_t layers, simdnn::network_options& net) {
  if (parsed.activations.size() == layers) {
    for (std::size_t l = 0; l + 1 < layers; ++l) {
      if (simdnn::activation_output_only(parsed.activations[l])) {
        throw usage_error(std::string("--activation: ") +
                          simdnn::activation_name(parsed.activations[l]) +
                          " is for the output layer only, not layer " + std::to_string(l + 1));
      }
    }
    net.activations = parsed.activations;
    net.activation_parameters = parsed.activation_parameters;
    return;
  }
  if (parsed.activations.size() > 1) {
    throw usage_error("--activation: " + std::to_string(parsed.activations.size()) +
                      " activations for " + std::to_string(layers) +
                      " layers (give one per layer, or one for every hidden layer)");
  }
  const simdnn::activation hidden =
      parsed.activations.empty() ? default_hidden_activation : parsed.activations.front();
  const float parameter = parsed.activations.empty() ? 0.0f : parsed.activation_parameters.front();
  if (simdnn::activation_output_only(hidden)) {
    throw usage_error(std::string("--activation: ") + simdnn::activation_name(hidden) +
                      " is for the output layer only; give one activation per layer");
  }
  net.activations.assign(layers, hidden);
  net.activation_parameters.assign(layers, parameter);
  net.activations.back() = output_activation_for(parsed.loss);
  net.activation_parameters.back() = 0.0f;
}

std::string describe_activations(const simdnn::network& net) {
  std::string text;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    if (!text.empty()) text += ",";
    text += simdnn::activation_name(net.layer_activation(l));
  }
  return text;
}

std::string describe_optimizer(const simdnn::optimizer_options& o) {
  char text[160];
  switch (o.kind) {
    case simdnn::optimizer_kind::rprop:
      std::snprintf(text, sizeof text, "rprop (iRPROP-, whole batch)");
      break;
    case simdnn::optimizer_kind::momentum:
      std::snprintf(text, sizeof text, "%s lr %g, momentum %g",
                    o.nesterov ? "nesterov" : "momentum", static_cast<double>(o.learning_rate),
                    static_cast<double>(o.momentum));
      break;
    default:
      std::snprintf(text, sizeof text, "%s lr %g", simdnn::optimizer_name(o.kind),
                    static_cast<double>(o.learning_rate));
  }
  std::string result = text;
  if (o.weight_decay != 0.0f && o.kind != simdnn::optimizer_kind::rprop) {
    std::snprintf(text, sizeof text, ", weight decay %g", static_cast<double>(o.weight_decay));
    result += text;
  }
  return result;
}

}  // namespace

int train_classifier(const options& parsed, const simdnn::dataset& data,
                     clock_type::time_point start_time) {
  const std::vector<std::size_t> widths = checked_widths(parsed, data);

  // Independent streams from one seed: the test split, the validation split, the shuffles.
  simdnn::splitmix64 seeder(parsed.seed);
  const std::uint64_t split_seed = seeder.next();
  const std::uint64_t shuffle_seed = seeder.next();
  const std::uint64_t validation_seed = seeder.next();
  simdnn::dataset_split split;
  try {
    split = simdnn::split_train_test(data, parsed.test_fraction, split_seed);
  } catch (const std::invalid_argument&) {
    char fraction[32];
    std::snprintf(fraction, sizeof fraction, "%g", parsed.test_fraction);
    throw usage_error(std::string("--test-fraction ") + fraction +
                      " leaves no rows to train on (the data has " + std::to_string(data.rows()) +
                      " rows)");
  }
  simdnn::dataset_split fit;  // train / validation
  if (parsed.validation_fraction > 0.0) {
    try {
      fit = simdnn::split_train_test(split.train, parsed.validation_fraction, validation_seed);
    } catch (const std::invalid_argument&) {
      fit.test = simdnn::dataset();  // reported below
    }
    if (fit.test.rows() == 0 || fit.train.rows() == 0) {
      throw usage_error("--validation-fraction leaves no rows to validate or to train on (" +
                        std::to_string(split.train.rows()) + " training rows)");
    }
  } else {
    fit.train = split.train;
  }
  const simdnn::dataset& train = fit.train;
  const simdnn::dataset& test = split.test;
  const std::size_t train_rows = train.rows();
  const bool whole_batch = parsed.optimizer.kind == simdnn::optimizer_kind::rprop;
  const std::size_t batch = whole_batch ? train_rows : std::min(parsed.batch, train_rows);

  simdnn::network_options network_options;
  network_options.bias = parsed.bias;
  network_options.max_batch = batch;
  network_options.init = simdnn::weight_init::xavier_uniform;
  network_options.seed = parsed.seed;
  network_options.reduction = simdnn::loss_reduction::mean;
  network_options.loss = parsed.loss;
  network_options.optimizer = parsed.optimizer;
  choose_activations(parsed, widths.size() - 1, network_options);
  if (parsed.loss == simdnn::loss_function::softmax_cross_entropy &&
      network_options.activations.back() != simdnn::activation::softmax) {
    throw usage_error(
        "--loss cross_entropy needs a softmax output layer (--activation ...,softmax)");
  }
  if (parsed.loss == simdnn::loss_function::binary_cross_entropy &&
      network_options.activations.back() != simdnn::activation::sigmoid &&
      network_options.activations.back() != simdnn::activation::sigmoid_fast) {
    throw usage_error("--loss bce needs a sigmoid output layer (--activation ...,sigmoid)");
  }
  simdnn::network net(widths, network_options);
  if (parsed.standardize) {
    // Training rows only: neither the test nor the validation rows may leak into the scaling.
    const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(train);
    net.set_input_standardization(statistics.mean, statistics.stddev);
  }

  std::vector<float> train_targets, validation_targets, test_targets;
  const simdnn::training_data train_data = simdnn::classification_data(train, train_targets);
  simdnn::training_data validation_data;
  if (fit.test.rows() > 0)
    validation_data = simdnn::classification_data(fit.test, validation_targets);

  if (!parsed.quiet) {
    print_data_line(parsed, data);
    std::printf("split: %zu train, %zu test rows", split.train.rows(), test.rows());
    if (fit.test.rows() > 0) {
      std::printf(" (%zu of the train rows validate)", fit.test.rows());
    }
    std::printf("\n");
    std::printf("network: %s %s, %s, Xavier-uniform init, %zu parameters, arena %zu bytes\n",
                join_widths(widths).c_str(), describe_activations(net).c_str(),
                parsed.bias ? "biases" : "no biases", net.parameter_count(), net.arena_bytes());
    std::printf(
        "training: %zu epochs, batch %zu, %s on the %s, %s\n", parsed.epochs, batch,
        describe_optimizer(parsed.optimizer).c_str(), simdnn::loss_name(parsed.loss),
        parsed.standardize ? "features standardized (training rows' statistics)" : "raw features");
    if (parsed.patience > 0) {
      std::printf("early stopping: patience %zu epochs on the %s loss, best weights kept\n",
                  parsed.patience, fit.test.rows() > 0 ? "validation" : "training");
    }
  }

  progress_display progress(progress_style(parsed), report_interval(parsed, parsed.epochs),
                            parsed.epochs, "loss", "train accuracy");
  double train_seconds = 0.0;
  simdnn::training_options loop;
  loop.epochs = parsed.epochs;
  loop.batch_size = batch;
  loop.seed = shuffle_seed;
  loop.patience = parsed.patience;
  loop.on_epoch = [&](const simdnn::epoch_metrics& m) {
    train_seconds += m.seconds;
    const clock_type::time_point now = clock_type::now();
    if (progress.due(m.epoch, now)) {
      progress.show(m.epoch, m.train_loss, 100.0 * m.train_accuracy,
                    rate_of(m.epoch * train_rows, train_seconds), now);
    }
    return true;
  };
  const simdnn::training_report report =
      simdnn::train(net, train_data, fit.test.rows() > 0 ? &validation_data : nullptr, loop);
  progress.finish();

  const std::size_t epochs_run = report.history.size();
  // The library's own scoring (simdnn::evaluate), on the one-hot targets built above.
  const simdnn::evaluation final_train = simdnn::evaluate(net, train_data);
  simdnn::evaluation final_test;
  if (test.rows() > 0) {
    final_test = simdnn::evaluate(net, simdnn::classification_data(test, test_targets));
  }
  const double wall_seconds = seconds_between(start_time, clock_type::now());
  char rate[32];
  format_rate(rate_of(epochs_run * train_rows, train_seconds), rate);
  std::printf("done: %zu epochs", epochs_run);
  if (report.stopped_early) {
    std::printf(" (stopped early: no improvement for %zu epochs)", parsed.patience);
  }
  if (report.restored_best) std::printf(", weights of epoch %zu kept", report.best_epoch);
  std::printf(", final loss %.6g (%s, training rows)\n", final_train.loss,
              simdnn::loss_name(parsed.loss));
  // The rows the network trained on (without the validation rows).
  std::printf("train accuracy %6.2f%% (%zu/%zu)\n", percent(final_train.correct, train_rows),
              final_train.correct, train_rows);
  if (test.rows() > 0) {
    std::printf("test accuracy  %6.2f%% (%zu/%zu)\n", percent(final_test.correct, test.rows()),
                final_test.correct, test.rows());
  } else {
    std::printf("test accuracy  n/a (--test-fraction 0: no rows held out)\n");
  }
  print_time_line(wall_seconds, train_seconds, rate);
  if (!parsed.metrics_csv_path.empty()) {
    write_metrics_csv(parsed.metrics_csv_path, report.history);
    if (!parsed.quiet)
      std::printf("metrics: %s (%zu epochs)\n", parsed.metrics_csv_path.c_str(), epochs_run);
  }
  if (!parsed.plot_path.empty()) {
    const std::string title =
        "simdnn-train " + join_widths(widths) + " " + describe_activations(net) + ", " +
        describe_optimizer(parsed.optimizer) + ", " + simdnn::loss_name(parsed.loss);
    write_learning_curve_svg(parsed.plot_path, report.history, title);
    if (!parsed.quiet) std::printf("plot: %s\n", parsed.plot_path.c_str());
  }
  save_if_asked(parsed, net,
                std::vector<std::string>(data.class_names().begin(), data.class_names().end()));
  return 0;
}

}  // namespace simdnn::cli::train
