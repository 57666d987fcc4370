// tools/train/evaluate.hpp — how simdnn-train scores a network over a whole set: the one
// measure behind both modes' progress lines and summaries, so they cannot disagree on what loss
// and accuracy mean.
#pragma once

#include <cstddef>
#include <span>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"

namespace simdnn::cli::train {

// A failed status from the network after the tool checked every shape it passes: a bug in the
// tool, reported as an internal error (exit status 1).
[[noreturn]] void internal_error(const char* what, simdnn::status status);

// Loss and correct predictions of `net` over a whole set, run in chunks of max_batch rows, as
// simdnn::evaluate scores them (each row's class by simdnn::predicted_class), plus the count of
// predictions per class that the notebook mode reports (why its accuracy is capped). Loss: the mean
// over rows for the mean reduction (which already averages over outputs), the plain sum for the sum
// reduction.
struct evaluation {
  double loss = 0.0;
  std::size_t correct = 0;
};

// predicted_per_class, when not empty (class_count entries), counts the predictions per class.
evaluation evaluate(simdnn::network& net, simdnn::loss_reduction reduction,
                    std::span<const float> features, std::span<const float> targets,
                    std::span<const simdnn::class_index> labels, std::size_t class_count,
                    std::span<std::size_t> predicted_per_class = {});

}  // namespace simdnn::cli::train
