// tools/train/modes.hpp — simdnn-train's two ways to train: the default classifier and the
// lecture notebook's exact setup (--notebook). Each takes the loaded data, trains, prints its
// summary, saves the model if asked, and returns the exit status; errors are thrown.
#pragma once

#include "simdnn/dataset.hpp"

#include "train/options.hpp"
#include "train/progress.hpp"

namespace simdnn::cli::train {

// One sigmoid output per class on one-hot targets, argmax prediction, a seeded hold-out split,
// mini-batches and standardized features unless told otherwise. usage_error when --layers or
// --test-fraction do not fit the data.
int train_classifier(const options& parsed, const simdnn::dataset& data,
                     clock_type::time_point start_time);

// The notebook: 4-10-3-1, no biases, the raw class index as the one output's target, full batch,
// lr 0.1 on E = 1/2 sum (y - t)^2, 100 epochs; and why its accuracy is capped.
int train_notebook(const options& parsed, const simdnn::dataset& data,
                   clock_type::time_point start_time);

}  // namespace simdnn::cli::train
