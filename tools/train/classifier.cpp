// tools/train/classifier.cpp — simdnn-train's default mode: one-hot classification with a
// hold-out split (see modes.hpp). Everything the epoch loop touches is allocated before it.
#include "train/modes.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

#include "cli_support.hpp"
#include "train/evaluate.hpp"
#include "train/io.hpp"
#include "train/progress.hpp"

namespace simdnn::cli::train {

int train_classifier(const options& parsed, const simdnn::dataset& data,
                     clock_type::time_point start_time) {
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

  // Two independent streams from one seed: the split and the epoch shuffles.
  simdnn::splitmix64 seeder(parsed.seed);
  const std::uint64_t split_seed = seeder.next();
  simdnn::splitmix64 shuffle_rng(seeder.next());
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
  const simdnn::dataset& train = split.train;
  const simdnn::dataset& test = split.test;
  const std::size_t train_rows = train.rows();
  const std::size_t batch = std::min(parsed.batch, train_rows);

  simdnn::network_options network_options;
  network_options.bias = parsed.bias;
  network_options.max_batch = batch;
  network_options.init = simdnn::weight_init::xavier_uniform;
  network_options.seed = parsed.seed;
  network_options.reduction = simdnn::loss_reduction::mean;
  simdnn::network net(widths, network_options);
  if (parsed.standardize) {
    // Training rows only: the test rows must not leak into the scaling.
    const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(train);
    net.set_input_standardization(statistics.mean, statistics.stddev);
  }

  const std::vector<float> train_targets = simdnn::one_hot(train.labels(), classes);
  const std::vector<float> test_targets = simdnn::one_hot(test.labels(), classes);
  // Everything the epoch loop touches is allocated here, before it.
  std::vector<std::size_t> order(train_rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<float> batch_input_storage(batch * features);
  std::vector<float> batch_target_storage(batch * classes);
  const std::span<float> batch_inputs = batch_input_storage;
  const std::span<float> batch_targets = batch_target_storage;
  const std::span<const float> train_target_rows = train_targets;

  if (!parsed.quiet) {
    print_data_line(parsed, data);
    std::printf("split: %zu train, %zu test rows\n", train_rows, test.rows());
    std::printf("network: %s sigmoid, %s, Xavier-uniform init, %zu parameters, arena %zu bytes\n",
                join_widths(widths).c_str(), parsed.bias ? "biases" : "no biases",
                net.parameter_count(), net.arena_bytes());
    std::printf(
        "training: %zu epochs, batch %zu, lr %g on the mean squared error, %s\n", parsed.epochs,
        batch, static_cast<double>(parsed.learning_rate),
        parsed.standardize ? "features standardized (training rows' statistics)" : "raw features");
  }

  const std::span<const float> train_features = train.features();
  progress_display progress(progress_style(parsed), report_interval(parsed, parsed.epochs),
                            parsed.epochs, "loss", "train accuracy");
  double train_seconds = 0.0;
  for (std::size_t epoch = 1; epoch <= parsed.epochs; ++epoch) {
    const clock_type::time_point epoch_start = clock_type::now();
    simdnn::shuffle(order, shuffle_rng);
    for (std::size_t first = 0; first < train_rows; first += batch) {
      const std::size_t count = std::min(batch, train_rows - first);
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t row = order[first + i];
        const auto x = train_features.subspan(row * features, features);
        const auto t = train_target_rows.subspan(row * classes, classes);
        std::copy(x.begin(), x.end(), batch_inputs.subspan(i * features).begin());
        std::copy(t.begin(), t.end(), batch_targets.subspan(i * classes).begin());
      }
      const auto step =
          net.train_batch(batch_inputs.first(count * features),
                          batch_targets.first(count * classes), count, parsed.learning_rate);
      if (!step) internal_error("train_batch", step.error);
    }
    const clock_type::time_point epoch_end = clock_type::now();
    train_seconds += seconds_between(epoch_start, epoch_end);
    if (progress.due(epoch, epoch_end)) {
      const evaluation now = evaluate(net, network_options.reduction, train_features, train_targets,
                                      train.labels(), classes);
      progress.show(epoch, now.loss, percent(now.correct, train_rows),
                    rate_of(epoch * train_rows, train_seconds), epoch_end);
    }
  }
  progress.finish();

  const evaluation final_train = evaluate(net, network_options.reduction, train_features,
                                          train_targets, train.labels(), classes);
  const evaluation final_test = evaluate(net, network_options.reduction, test.features(),
                                         test_targets, test.labels(), classes);
  const double wall_seconds = seconds_between(start_time, clock_type::now());
  char rate[32];
  format_rate(rate_of(parsed.epochs * train_rows, train_seconds), rate);
  std::printf("done: %zu epochs, final loss %.6g (mean squared error, training rows)\n",
              parsed.epochs, final_train.loss);
  std::printf("train accuracy %6.2f%% (%zu/%zu)\n", percent(final_train.correct, train_rows),
              final_train.correct, train_rows);
  if (test.rows() > 0) {
    std::printf("test accuracy  %6.2f%% (%zu/%zu)\n", percent(final_test.correct, test.rows()),
                final_test.correct, test.rows());
  } else {
    std::printf("test accuracy  n/a (--test-fraction 0: no rows held out)\n");
  }
  print_time_line(wall_seconds, train_seconds, rate);
  save_if_asked(parsed, net,
                std::vector<std::string>(data.class_names().begin(), data.class_names().end()));
  return 0;
}

}  // namespace simdnn::cli::train
