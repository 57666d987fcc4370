// lib/kernels/dense_layout.hpp — the packed form of a dense network for inference, shared by the
// dense kernels (lib/kernels/dense.hpp) and the predictor that builds it (lib/nn/predictor.cpp).
// No xsimd here: the predictor is compiled for the baseline ISA.
//
// Each layer's weights are stored in panels of dense_panel_width (16) output columns: panel p
// holds columns [16p, 16p + 16) for every input row, inputs x 16 floats, row i at 16 i, so one
// input row of a panel is one 64-byte cache line and a one-sample dot product streams whole lines.
// Columns past the layer's outputs are zero, as are biases there and all biases of a model without
// them. Panels and bias blocks start on 64-byte boundaries.
#pragma once

#include <cstddef>

#include "simdnn/activation.hpp"

namespace simdnn::kernels {

inline constexpr std::size_t dense_panel_width = 16;

[[nodiscard]] constexpr std::size_t dense_panel_count(std::size_t outputs) noexcept {
  return (outputs + dense_panel_width - 1) / dense_panel_width;
}
// Columns of a layer's padded output row (and of its bias block).
[[nodiscard]] constexpr std::size_t dense_padded_width(std::size_t outputs) noexcept {
  return dense_panel_count(outputs) * dense_panel_width;
}

struct dense_layer {
  const float* panels;  // dense_panel_count(outputs) panels of inputs x 16 floats
  const float* biases;  // dense_padded_width(outputs) floats
  std::size_t inputs;
  std::size_t outputs;
  activation act;  // applied in registers; softmax over each whole output row afterwards
  float activation_parameter;  // leaky_relu's slope
};

struct dense_model {
  const dense_layer* layers;
  std::size_t layer_count;
  const float* input_mean;    // null: no standardization
  const float* input_stddev;  // null: no standardization
  // Floats per workspace row: the largest padded width over the input and every layer's output.
  std::size_t row_stride;
};

// True when dense_forward_narrow_row (lib/kernels/dense.hpp) can run `model`: every width fits
// one panel.
[[nodiscard]] inline bool dense_is_narrow(const dense_model& model) noexcept {
  for (std::size_t l = 0; l < model.layer_count; ++l) {
    if (model.layers[l].inputs > dense_panel_width || model.layers[l].outputs > dense_panel_width) {
      return false;
    }
  }
  return true;
}

// Floats of workspace one call with `rows` rows needs: two row buffers (a layer reads one and
// writes the other). The workspace is 64-byte aligned.
[[nodiscard]] constexpr std::size_t dense_workspace_floats(const dense_model& model,
                                                           std::size_t rows) noexcept {
  return 2 * rows * model.row_stride;
}

}  // namespace simdnn::kernels
