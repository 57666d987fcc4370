// tools/train/report.hpp — a training run's history written out for people and scripts: the
// per-epoch metrics as CSV, and the learning curves as a self-contained SVG picture.
//
// CSV: the header
//   epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second
// then one row per epoch, in the order given. Numbers are the shortest text that reads back to the
// same double (std::to_chars), locale-independent; accuracies are fractions in [0, 1], as in
// epoch_metrics. A field is empty where the value does not exist: the validation columns of an
// epoch without validation, and a NaN accuracy (no labels). A NaN or infinite loss, time or rate
// (a diverged run) is written as nan, inf or -inf, which strtod reads back.
//
// SVG (1.1, no scripts, no external references; the same history gives the same bytes): a loss
// panel and, when any accuracy exists, an accuracy panel to its right, each with its axes, ticks
// at 1-2-5 values, axis labels ("epoch", "loss" or "loss (log scale)", "accuracy (%)"), a legend,
// and one <polyline> per series. What a test or a script can rely on:
//   <svg>                      xmlns, version="1.1", width, height, viewBox
//   <title>                    the title (also drawn as <text class="title">)
//   <g class="panel" id="loss-panel" data-scale="linear|log">   and id="accuracy-panel"
//   <g class="axis x-axis">, <g class="axis y-axis">: <text class="axis-label"> and, per tick,
//       <g class="tick" data-value="v"> holding a <line> and a <text class="tick-label">
//   <polyline class="series" data-series="train_loss|validation_loss|train_accuracy|
//       validation_accuracy" data-epochs="1 2 ..." data-values="v1 v2 ..." points="...">
//       data-values are the epoch_metrics values themselves, exactly (accuracies as fractions,
//       though the axis shows percent), for the epochs in data-epochs: the finite ones only.
//   <circle class="marker" data-series="..."> where a series has a single point (a line of one
//       point draws nothing)
//   <g class="legend">, one <g class="legend-entry" data-series="..."> per drawn series
// A series is drawn when it has a finite point: validation ones only for epochs with validation,
// accuracies only where not NaN. The loss axis is logarithmic when every drawn loss is positive
// and they span more than two decades. An empty history gives the axes and no series.
//
// Both writers throw std::runtime_error naming the file and the system's reason when it cannot be
// created, written or closed; a partly written file is then removed.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "simdnn/train.hpp"

namespace simdnn::cli::train {

void write_metrics_csv(const std::filesystem::path& file,
                       std::span<const simdnn::epoch_metrics> history);

void write_learning_curve_svg(const std::filesystem::path& file,
                              std::span<const simdnn::epoch_metrics> history,
                              const std::string& title);

}  // namespace simdnn::cli::train
