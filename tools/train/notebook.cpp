// tools/train/notebook.cpp — simdnn-train --notebook: the lecture's exact setup, and why it
// cannot get every class right (see modes.hpp).
#include "train/modes.hpp"

#include <algorithm>
#include <cstdio>
#include <span>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

#include "cli_support.hpp"
#include "train/evaluate.hpp"
#include "train/io.hpp"
#include "train/progress.hpp"

namespace simdnn::cli::train {

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
    std::printf(
        "notebook: %s sigmoid, no biases, weights U(-1, 1) from seed %llu,\n"
        "          targets = class index on the one output, full batch of %zu rows in "
        "file order,\n"
        "          raw features, %zu epochs, lr %g on E = 1/2 sum (y - t)^2 "
        "(simdnn: sum reduction, lr %g)\n",
        join_widths(widths).c_str(), static_cast<unsigned long long>(parsed.seed), rows,
        notebook_epochs, static_cast<double>(notebook_lr), static_cast<double>(simdnn_lr));
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
              notebook_epochs, final_state.loss / 2, final_state.loss / static_cast<double>(rows));
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
    std::printf(
        "capped: a sigmoid output lies in (0, 1), so rounding it gives class 0 or 1, never "
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

}  // namespace simdnn::cli::train
