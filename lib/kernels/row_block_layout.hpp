// lib/kernels/row_block_layout.hpp — the layout the fused small-network kernels share with the
// network that calls them (lib/kernels/row_block.hpp, lib/nn/network_run.cpp). No xsimd here:
// the network is compiled for the baseline ISA.
//
// Rows in lanes. A small network's layers are far narrower than a vector (4, 10 and 3 columns
// against 16 lanes), so the fused kernels put 16 rows of one feature in the lanes instead: a
// "row block" holds rows [16 b, 16 b + 16) of a layer's values feature by feature, feature f at
// 16 f, so a layer with w values per row takes 16 w floats per block, and one multiply-add
// broadcasts one weight against 16 rows with no padded lane. 16 is a logical width: one zmm on
// AVX-512, two ymm on AVX2, four xmm on SSE2, so every lane sees the same operations on every ISA.
// Rows past the batch in its last block hold 0 (inputs and every hidden layer's activations,
// reset after the activation) and their deltas are 0, so they add exact zeros to the gradients.
#pragma once

#include <cstddef>

#include "simdnn/activation.hpp"

namespace simdnn::kernels {

// Rows per block (the logical lane count) and the widest layer the fused path takes: a block's
// values of one layer then fit 16 x 16 floats (1 KiB, L1-resident).
inline constexpr std::size_t kRowBlock = 16;
inline constexpr std::size_t kRowBlockMaxWidth = 16;
inline constexpr std::size_t kRowBlockMaxLayers = 8;

[[nodiscard]] constexpr std::size_t row_blocks(std::size_t rows) noexcept {
  return rows / kRowBlock + (rows % kRowBlock != 0 ? 1 : 0);  // no overflow near SIZE_MAX
}

// One dense layer as the fused kernels see it. Weights row-major inputs x outputs (the network's
// own layout); `values` and `deltas` in row blocks (hidden layers: activations A and dL/dZ; the
// output layer: unused, its values are row-major in `output_z`).
struct row_block_layer {
  std::size_t inputs;
  std::size_t outputs;
  activation act;
  float activation_parameter;  // leaky_relu's slope
  const float* weights;
  const float* biases;  // null: no bias
  float* values;        // row_blocks(batch) blocks of 16 x outputs (hidden layers)
  float* deltas;        // the same shape: dL/dZ
  float* weight_gradients;
  float* bias_gradients;  // null: no bias
};

struct row_block_network {
  const row_block_layer* layers;
  std::size_t layer_count;
  // The inputs in row blocks (forward writes them; backward reads them for the first layer's dW).
  float* input_blocks;
  // The output layer's Z, row-major batch x outputs (forward writes it; the caller then applies
  // the output activation and the loss on rows, as the unfused network does).
  float* output_z;
  // The output layer's dL/dZ, row-major (the caller's, read by backward) and its row-block copy.
  const float* output_deltas;
  float* output_delta_blocks;
};

}  // namespace simdnn::kernels
