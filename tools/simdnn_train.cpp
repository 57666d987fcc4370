// simdnn-train — train a dense sigmoid network on a CSV file from the command line.
//
//   simdnn-train data/iris.csv --layers 4,10,3 --epochs 2000 --lr 0.5 --batch 32 --seed 1
//                --test-fraction 0.2
//
// Classification: the label column (default: the last) holds integer or string class labels;
// targets are one-hot with one sigmoid output per class, and the predicted class is the argmax.
// --layers lists every width, input and output included; the input width must equal the number
// of feature columns and the output width the number of classes. A mismatch is a usage error
// rather than a silently appended or resized layer: the user's topology is either run as written
// or rejected. Features are standardized with the training split's statistics, which are stored
// in the network (set_input_standardization), so every prediction sees the same scaling.
//
// --save FILE writes the trained model (weights, biases, activations, the standardization
// statistics and the class names) atomically to FILE, for simdnn-predict, simdnn-inspect and
// simdnn::load_model. Its directory is checked before training, so a typo costs no training run.
//
// --notebook reruns the lecture notebook exactly: 4-10-3-1 sigmoid, no biases, weights U(-1, 1),
// raw class indices 0, 1, 2 as the target of the single output, full batch, gradient descent on
// E = 1/2 sum (y - t)^2 with learning rate 0.1 (simdnn's sum reduction at lr 0.05), 100 epochs,
// rows in file order, no standardization and no hold-out. Its accuracy is capped; see the
// summary it prints.
//
// Exit status: 0 success; 1 internal error; 2 usage error (flags, or flags that do not fit the
// data); 3 data error (unreadable or malformed input, or the model could not be saved). Every
// error is one line on stderr.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"

#include "cli_support.hpp"
#include "train/options.hpp"
#include "train/progress.hpp"

namespace simdnn::cli::train {
namespace {

[[noreturn]] void internal_error(const char* what, simdnn::status status) {
  throw std::runtime_error(std::string(what) + ": " + simdnn::status_message(status));
}

// Loss and correct predictions of `net` over a whole set, run in chunks of max_batch rows.
// Predictions: argmax over the outputs, or with a single output the output rounded to the nearest
// class index (the notebook's reading). Loss: the mean over rows for the mean reduction (which
// already averages over outputs), the plain sum for the sum reduction.
struct evaluation {
  double loss = 0.0;
  std::size_t correct = 0;
};

// predicted_per_class, when not empty (class_count entries), counts the predictions per class.
evaluation evaluate(simdnn::network& net, simdnn::loss_reduction reduction,
                    std::span<const float> features, std::span<const float> targets,
                    std::span<const simdnn::class_index> labels, std::size_t class_count,
                    std::span<std::size_t> predicted_per_class = {}) {
  evaluation result;
  const std::size_t rows = labels.size();
  const std::size_t inputs = net.input_width();
  const std::size_t outputs = net.output_width();
  for (std::size_t start = 0; start < rows; start += net.max_batch()) {
    const std::size_t count = std::min(net.max_batch(), rows - start);
    const auto forward = net.forward(features.subspan(start * inputs, count * inputs), count);
    if (!forward) internal_error("forward", forward.error);
    const auto loss = net.loss(targets.subspan(start * outputs, count * outputs));
    if (!loss) internal_error("loss", loss.error);
    result.loss += reduction == simdnn::loss_reduction::mean
                       ? static_cast<double>(loss.value) * static_cast<double>(count)
                       : static_cast<double>(loss.value);
    for (std::size_t r = 0; r < count; ++r) {
      const std::span<const float> y = forward.value.subspan(r * outputs, outputs);
      std::size_t predicted = 0;
      if (outputs == 1) {
        const double nearest = std::nearbyint(static_cast<double>(y[0]));
        predicted = static_cast<std::size_t>(
            std::clamp(nearest, 0.0, static_cast<double>(class_count - 1)));
      } else {
        predicted = simdnn::cli::argmax(y);
      }
      if (predicted == labels[start + r]) ++result.correct;
      if (!predicted_per_class.empty()) ++predicted_per_class[predicted];
    }
  }
  if (reduction == simdnn::loss_reduction::mean && rows > 0) {
    result.loss /= static_cast<double>(rows);
  }
  return result;
}

// Saves the trained network when --save was given, and says where.
void save_if_asked(const options& parsed, const simdnn::network& net,
                   std::vector<std::string> class_names) {
  if (parsed.save_path.empty()) return;
  const simdnn::model trained = [&] {
    try {
      return simdnn::model(net, std::move(class_names));
    } catch (const std::invalid_argument& error) {
      // NaN or infinite weights after a diverged run: the format (rightly) refuses them.
      throw std::runtime_error(std::string("cannot save the model: ") + error.what() +
                               " (did training diverge? try a lower --lr)");
    }
  }();
  simdnn::save_model(parsed.save_path, trained);
  std::printf("saved: %s (%zu parameters, format %u)\n", parsed.save_path.c_str(),
              trained.parameter_count(), simdnn::model_format_version);
}

simdnn::dataset load(const options& parsed) {
  simdnn::csv_options csv;
  csv.kind = simdnn::task::classification;
  csv.target_columns = {parsed.label_column};
  csv.header = parsed.header;
  if (parsed.data_path == "-") return simdnn::read_csv(std::cin, "<stdin>", csv);
  return simdnn::load_csv(parsed.data_path, csv);
}

void print_data_line(const options& parsed, const simdnn::dataset& data) {
  const char* const name = parsed.data_path == "-" ? "<stdin>" : parsed.data_path.c_str();
  std::printf("data: %s: %zu rows, %zu features, %zu classes (", name,
              data.rows(), data.feature_count(), data.class_count());
  simdnn::cli::print_class_names(data.class_names());
  std::printf(")\n");
}

// ------------------------------------------------------------------------------------------------
// The default mode: one-hot classification with a hold-out split.
// ------------------------------------------------------------------------------------------------
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
    std::printf("training: %zu epochs, batch %zu, lr %g on the mean squared error, %s\n",
                parsed.epochs, batch, static_cast<double>(parsed.learning_rate),
                parsed.standardize ? "features standardized (training rows' statistics)"
                                   : "raw features");
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
      const auto step = net.train_batch(batch_inputs.first(count * features),
                                        batch_targets.first(count * classes), count,
                                        parsed.learning_rate);
      if (!step) internal_error("train_batch", step.error);
    }
    const clock_type::time_point epoch_end = clock_type::now();
    train_seconds += seconds_between(epoch_start, epoch_end);
    if (progress.due(epoch, epoch_end)) {
      const evaluation now = evaluate(net, network_options.reduction, train_features,
                                      train_targets, train.labels(), classes);
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

// ------------------------------------------------------------------------------------------------
// --notebook: the lecture's exact setup, and why it cannot get every class right.
// ------------------------------------------------------------------------------------------------
int train_notebook(const options& parsed, const simdnn::dataset& data,
                   clock_type::time_point start_time) {
  constexpr std::size_t notebook_epochs = 100;
  // The notebook's W -= 0.1 * dE/dW with E = 1/2 sum (y - t)^2 is the sum reduction at lr / 2.
  constexpr float notebook_lr = 0.1f;
  constexpr float simdnn_lr = notebook_lr / 2;
  const std::size_t rows = data.rows();
  const std::size_t classes = data.class_count();
  const std::vector<std::size_t> widths = {data.feature_count(), 10, 3, 1};

  simdnn::network_options network_options;
  network_options.bias = false;
  network_options.max_batch = rows;  // full batch
  network_options.init = simdnn::weight_init::uniform_pm1;
  network_options.seed = parsed.seed;
  network_options.reduction = simdnn::loss_reduction::sum;
  simdnn::network net(widths, network_options);

  // The raw class index is the target: 0, 1, 2 for Iris's labels.
  std::vector<float> targets(rows);
  std::transform(data.labels().begin(), data.labels().end(), targets.begin(),
                 [](simdnn::class_index label) { return static_cast<float>(label); });

  if (!parsed.quiet) {
    print_data_line(parsed, data);
    std::printf("notebook: %s sigmoid, no biases, weights U(-1, 1) from seed %llu,\n"
                "          targets = class index on the one output, full batch of %zu rows in "
                "file order,\n"
                "          raw features, %zu epochs, lr %g on E = 1/2 sum (y - t)^2 "
                "(simdnn: sum reduction, lr %g)\n",
                join_widths(widths).c_str(), static_cast<unsigned long long>(parsed.seed), rows,
                notebook_epochs, static_cast<double>(notebook_lr),
                static_cast<double>(simdnn_lr));
  }

  const std::span<const float> features = data.features();
  progress_display progress(progress_style(parsed), report_interval(parsed, notebook_epochs),
                            notebook_epochs, "E", "accuracy");
  double train_seconds = 0.0;
  for (std::size_t epoch = 1; epoch <= notebook_epochs; ++epoch) {
    const clock_type::time_point epoch_start = clock_type::now();
    const auto step = net.train_batch(features, targets, rows, simdnn_lr);
    if (!step) internal_error("train_batch", step.error);
    const clock_type::time_point epoch_end = clock_type::now();
    train_seconds += seconds_between(epoch_start, epoch_end);
    if (progress.due(epoch, epoch_end)) {
      const evaluation now =
          evaluate(net, network_options.reduction, features, targets, data.labels(), classes);
      progress.show(epoch, now.loss / 2, percent(now.correct, rows),
                    rate_of(epoch * rows, train_seconds), epoch_end);
    }
  }
  progress.finish();

  std::vector<std::size_t> predicted_per_class(classes, 0);
  const evaluation final_state = evaluate(net, network_options.reduction, features, targets,
                                          data.labels(), classes, predicted_per_class);
  const double wall_seconds = seconds_between(start_time, clock_type::now());
  char rate[32];
  format_rate(rate_of(notebook_epochs * rows, train_seconds), rate);
  std::printf("done: %zu epochs, final E = 1/2 sum (y - t)^2 = %.6g (mean squared error %.6g)\n",
              notebook_epochs, final_state.loss / 2,
              final_state.loss / static_cast<double>(rows));
  std::printf("accuracy (output rounded to the nearest class) %6.2f%% (%zu/%zu)\n",
              percent(final_state.correct, rows), final_state.correct, rows);
  std::printf("predictions per class:");
  for (std::size_t c = 0; c < std::min<std::size_t>(classes, 10); ++c) {
    std::printf("%s %s: %zu", c == 0 ? "" : ",", data.class_names()[c].c_str(),
                predicted_per_class[c]);
  }
  std::printf("%s\n", classes > 10 ? ", ..." : "");
  if (classes > 2) {
    const auto reachable = static_cast<std::size_t>(
        std::count_if(data.labels().begin(), data.labels().end(),
                      [](simdnn::class_index label) { return label < 2; }));
    const bool several = classes > 3;
    std::printf("capped: a sigmoid output lies in (0, 1), so rounding it gives class 0 or 1, never "
                "%s;\n"
                "        the %zu rows of class%s can never be right: at most %zu/%zu (%.2f%%) "
                "correct.\n"
                "        One output per class (the default mode: one-hot targets, argmax) lifts "
                "the cap.\n",
                several ? "2 or above" : "2", rows - reachable, several ? "es 2 and above" : " 2",
                reachable, rows, percent(reachable, rows));
  }
  print_time_line(wall_seconds, train_seconds, rate);
  // One output read as a rounded class index: the class names do not name outputs, so the
  // model is saved without them (simdnn-predict prints the output value).
  save_if_asked(parsed, net, {});
  return 0;
}

int run(const options& parsed) {
  const clock_type::time_point start_time = clock_type::now();
  std::printf("simdnn-train: ISA %s\n", simdnn::isa_name(simdnn::active_isa()));
  const simdnn::dataset data = load(parsed);
  return parsed.notebook ? train_notebook(parsed, data, start_time)
                         : train_classifier(parsed, data, start_time);
}

}  // namespace
}  // namespace simdnn::cli::train

int main(int argc, char** argv) {
  namespace train = simdnn::cli::train;
  return simdnn::cli::run_tool("simdnn-train", [&] {
    const train::options parsed = train::parse_command_line(argc, argv);
    if (parsed.help) {
      std::fputs(train::usage_text, stdout);
      return 0;
    }
    return train::run(parsed);
  });
}
