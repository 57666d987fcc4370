// lib/kernels/dense.hpp — arch-generic inference through a packed dense network.
//
// dense_forward<Arch>(model, x, y, rows, workspace):
//   y = f_L(... f_1(standardize(x) W_1 + b_1) ...) for `rows` rows (x: rows x inputs, y: rows x
//   outputs, both row-major, unaligned). `workspace` holds dense_workspace_floats(model, rows)
//   floats, 64-byte aligned. Layout of `model` in lib/kernels/dense_layout.hpp. Never allocates,
//   never fails: the caller has checked sizes and finiteness.
//
// Accumulation order (the contract the predictor documents): for output j, four partial sums
// p_s over the inputs i = s, s + 4, s + 8, ... in increasing i, each step p_s = fma(x_i, w_ij,
// p_s); p_0 starts at b_j, the others at 0; z_j = (p_0 + p_1) + (p_2 + p_3). Four chains hide the
// fma latency for one sample, and the order depends on nothing but the layer's input count, so a
// row's result is bitwise the same alone or in any batch. The sigmoid is sigmoid_batch, the
// network's own (<= 1.5 ULP, position independent).
//
// dense_forward_narrow_row<Arch>(model, x, y): the same y for one row of a model whose every
//   width (inputs and each layer's outputs) is at most dense_panel_width (16), e.g. 4-10-3-1.
//   Needs no workspace: the row lives in two 64-byte stack buffers (a layer reads one and writes
//   the other), each layer's outputs in
//   registers from its dot products through its activation. The same operations per output as
//   dense_forward (the same dense_columns and activations, lane for lane), so bitwise its result;
//   what it drops is dense_forward's per-call machinery (workspace staging, row loops, group
//   bookkeeping), which measured about half of a 4-10-3-1 call with relu layers (AVX2: 57 -> 24
//   ns per call in simdnn_bench's predict/4-10-3-1-relu).
//
// Shape of the work: output columns go in groups of two vectors (8 accumulators: 2 vectors x 4
// partial sums), which is a whole 16-column panel on AVX2 and half of one on SSE2; on AVX-512
// in groups of four vectors (four panels, 16 accumulators: each broadcast input feeds four fmas)
// while four remain, i.e. for layers of more than 48 outputs, then two, then one. Groups are the
// outer loop and rows the inner one, so a group's weights are read from memory once per pass and
// from cache for the other rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "kernels/activations.hpp"
#include "kernels/dense_layout.hpp"
#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"
#include "kernels/tanh.hpp"

namespace simdnn::kernels {

// z[v] = b + x . W over `inputs` for NV vectors of columns; w[v] points at the vector's first
// column in input row 0 of its panel (rows dense_panel_width floats apart), b[v] at its biases.
template <class Arch, std::size_t NV>
inline void dense_columns(const float* x, std::size_t inputs, const float* const (&w)[NV],
                          const float* const (&b)[NV],
                          xsimd::batch<float, Arch> (&z)[NV]) noexcept {
  using batch = xsimd::batch<float, Arch>;
  constexpr std::size_t stride = dense_panel_width;
  batch p0[NV], p1[NV], p2[NV], p3[NV];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < NV; ++v) {
    p0[v] = batch::load_aligned(b[v]);
    p1[v] = batch(0.0f);
    p2[v] = batch(0.0f);
    p3[v] = batch(0.0f);
  }
  // One fma step of partial sum `p` with input i, for every vector.
  const auto step = [&](batch(&p)[NV], std::size_t i) {
    const batch xi(x[i]);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
      p[v] = fused_multiply_add<Arch>(xi, batch::load_aligned(w[v] + i * stride), p[v]);
    }
  };
  std::size_t i = 0;
  for (; i + 4 <= inputs; i += 4) {
    step(p0, i);
    step(p1, i + 1);
    step(p2, i + 2);
    step(p3, i + 3);
  }
  // The last inputs: partial sums by name, never by a run-time index, so they stay in registers.
  const std::size_t left = inputs - i;
  if (left > 0) step(p0, i);
  if (left > 1) step(p1, i + 1);
  if (left > 2) step(p2, i + 2);
#pragma GCC unroll 4
  for (std::size_t v = 0; v < NV; ++v) z[v] = (p0[v] + p1[v]) + (p2[v] + p3[v]);
}

// The activation of NV vectors in registers, by the network's own batch functions (bit for
// bit), the sigmoid's dependency chains interleaved when there are two. Softmax needs a whole
// row: it runs after the layer (dense_forward), like identity here.
template <class Arch, std::size_t NV, activation Act>
inline void dense_activate(xsimd::batch<float, Arch> (&z)[NV], float parameter) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (Act == activation::sigmoid) {
    if constexpr (has_hardware_fma<Arch>) {
      sigmoid_batches_fma<Arch, NV>(z);
    } else {
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) z[v] = sigmoid_batch<Arch>(z[v]);
    }
  } else if constexpr (Act == activation::sigmoid_fast) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
      z[v] = sigmoid_fast_from_exp<Arch>(z[v], exp_minus_abs_rounded<Arch>(z[v]));
    }
  } else if constexpr (Act == activation::tanh) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) z[v] = tanh_batch<Arch>(z[v]);
  } else if constexpr (Act == activation::relu) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) z[v] = relu_batch<Arch>(z[v]);
  } else if constexpr (Act == activation::leaky_relu) {
    const fbatch slope(parameter);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) z[v] = leaky_relu_batch<Arch>(z[v], slope);
  }
}

// One layer, one group of NV vectors starting at vector `first`, every row.
template <class Arch, std::size_t NV, activation Act>
inline void dense_group(const dense_layer& layer, std::size_t first, const float* in, float* out,
                        std::size_t out_stride, bool to_user, std::size_t rows,
                        std::size_t in_stride) noexcept {
  using batch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = batch::size;
  const float* w[NV];
  const float* b[NV];
  std::size_t column[NV];
  std::size_t valid[NV];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < NV; ++v) {
    column[v] = (first + v) * width;
    valid[v] = std::min(width, layer.outputs - column[v]);
    w[v] = layer.panels + column[v] / dense_panel_width * (layer.inputs * dense_panel_width) +
           column[v] % dense_panel_width;
    b[v] = layer.biases + column[v];
  }
  for (std::size_t r = 0; r < rows; ++r) {
    batch z[NV];
    dense_columns<Arch, NV>(in + r * in_stride, layer.inputs, w, b, z);
    dense_activate<Arch, NV, Act>(z, layer.activation_parameter);
    float* row = out + r * out_stride;
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
      if (!to_user) {
        z[v].store_aligned(row + column[v]);  // padded workspace row: whole vectors fit
      } else if (valid[v] == width) {
        z[v].store_unaligned(row + column[v]);
      } else {
        store_partial<Arch>(z[v], row + column[v], valid[v]);
      }
    }
  }
}

// One layer over every row, in groups of four vectors of columns (AVX-512 only), then two, then
// one.
template <class Arch, activation Act>
inline void dense_layer_pass(const dense_layer& layer, const float* in, float* target,
                             std::size_t target_stride, bool last, std::size_t rows,
                             std::size_t stride) noexcept {
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  const std::size_t vectors = (layer.outputs + width - 1) / width;
  std::size_t v = 0;
  if constexpr (width == 16) {
    for (; v + 4 <= vectors; v += 4) {
      dense_group<Arch, 4, Act>(layer, v, in, target, target_stride, last, rows, stride);
    }
  }
  for (; v + 2 <= vectors; v += 2) {
    dense_group<Arch, 2, Act>(layer, v, in, target, target_stride, last, rows, stride);
  }
  if (v < vectors) {
    dense_group<Arch, 1, Act>(layer, v, in, target, target_stride, last, rows, stride);
  }
}

// One narrow layer's outputs in NV vectors (NV * width <= 16 columns: its one panel), activated.
template <class Arch, std::size_t NV>
inline void dense_narrow_layer(const dense_layer& layer, const float* in,
                               xsimd::batch<float, Arch> (&z)[NV]) noexcept {
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  const float* w[NV];
  const float* b[NV];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < NV; ++v) {
    w[v] = layer.panels + v * width;
    b[v] = layer.biases + v * width;
  }
  dense_columns<Arch, NV>(in, layer.inputs, w, b, z);
  switch (layer.act) {
    case activation::sigmoid:
      dense_activate<Arch, NV, activation::sigmoid>(z, layer.activation_parameter);
      break;
    case activation::sigmoid_fast:
      dense_activate<Arch, NV, activation::sigmoid_fast>(z, layer.activation_parameter);
      break;
    case activation::tanh:
      dense_activate<Arch, NV, activation::tanh>(z, layer.activation_parameter);
      break;
    case activation::relu:
      dense_activate<Arch, NV, activation::relu>(z, layer.activation_parameter);
      break;
    case activation::leaky_relu:
      dense_activate<Arch, NV, activation::leaky_relu>(z, layer.activation_parameter);
      break;
    case activation::identity:
    case activation::softmax:
      break;
  }
}

// The layer in as few vectors as its outputs need (the rest of the panel is never computed),
// handed to `sink(z, count)` in registers: z an array of `count` vectors.
template <class Arch, class Sink>
[[gnu::always_inline]] inline void dense_narrow_layer_into(const dense_layer& layer,
                                                           const float* in, Sink sink) noexcept {
  using batch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = batch::size;
  constexpr std::size_t most = dense_panel_width / width;  // 1 (AVX-512), 2 (AVX2), 4 (SSE2)
  const std::size_t vectors = (layer.outputs + width - 1) / width;
  if constexpr (most == 1) {
    batch z[1];
    dense_narrow_layer<Arch, 1>(layer, in, z);
    sink(z);
  } else {
    if (vectors == 1) {
      batch z[1];
      dense_narrow_layer<Arch, 1>(layer, in, z);
      sink(z);
    } else if (most == 2 || vectors == 2) {
      batch z[2];
      dense_narrow_layer<Arch, 2>(layer, in, z);
      sink(z);
    } else {
      batch z[most];
      dense_narrow_layer<Arch, most>(layer, in, z);
      sink(z);
    }
  }
}

template <class Arch>
void dense_forward_narrow_row(const dense_model& model, const float* x, float* y) noexcept {
  using batch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = batch::size;
  // Two row buffers, a layer reads one and writes the other: the reads of a layer's inputs are
  // forwarded from the stores just made.
  alignas(64) float rows[2][dense_panel_width];
  float* in = rows[0];
  float* out = rows[1];
  const std::size_t inputs = model.layers[0].inputs;
  if (model.input_mean != nullptr) {
    // The network's formula, rounded the same way: subtract, then divide.
    for (std::size_t i = 0; i < inputs; ++i) {
      in[i] = (x[i] - model.input_mean[i]) / model.input_stddev[i];
    }
  } else {
    for (std::size_t i = 0; i < inputs; ++i) in[i] = x[i];
  }
  const auto to_buffer = [&](const auto& z) {
    for (std::size_t v = 0; v < std::size(z); ++v) z[v].store_aligned(out + v * width);
  };
  const std::size_t last = model.layer_count - 1;
  for (std::size_t l = 0; l < last; ++l) {
    dense_narrow_layer_into<Arch>(model.layers[l], in, to_buffer);
    std::swap(in, out);
  }
  const dense_layer& layer = model.layers[last];
  if (layer.act == activation::softmax) {
    // Softmax needs the whole row: through the buffer, the network's kernel, then out.
    dense_narrow_layer_into<Arch>(layer, in, to_buffer);
    softmax<Arch>(out, y, 1, layer.outputs);
    return;
  }
  dense_narrow_layer_into<Arch>(layer, in, [&](const auto& z) {
    for (std::size_t v = 0; v < std::size(z); ++v) {
      const std::size_t column = v * width;
      if (column + width <= layer.outputs) {
        z[v].store_unaligned(y + column);
      } else if (column < layer.outputs) {
        store_partial<Arch>(z[v], y + column, layer.outputs - column);
      }
    }
  });
}

template <class Arch>
void dense_forward(const dense_model& model, const float* x, float* y, std::size_t rows,
                   float* workspace) noexcept {
  const std::size_t stride = model.row_stride;
  float* in = workspace;
  float* out = workspace + rows * stride;
  // Standardize (or copy) into the workspace: the layers then read every input the same way.
  const std::size_t inputs = model.layers[0].inputs;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* source = x + r * inputs;
    float* staged = in + r * stride;
    if (model.input_mean != nullptr) {
      // The network's formula, rounded the same way: subtract, then divide.
      for (std::size_t i = 0; i < inputs; ++i) {
        staged[i] = (source[i] - model.input_mean[i]) / model.input_stddev[i];
      }
    } else {
      for (std::size_t i = 0; i < inputs; ++i) staged[i] = source[i];
    }
  }
  for (std::size_t l = 0; l < model.layer_count; ++l) {
    const dense_layer& layer = model.layers[l];
    const bool last = l + 1 == model.layer_count;
    float* target = last ? y : out;
    const std::size_t target_stride = last ? layer.outputs : stride;
    switch (layer.act) {
      case activation::sigmoid:
        dense_layer_pass<Arch, activation::sigmoid>(layer, in, target, target_stride, last, rows,
                                                    stride);
        break;
      case activation::sigmoid_fast:
        dense_layer_pass<Arch, activation::sigmoid_fast>(layer, in, target, target_stride, last,
                                                         rows, stride);
        break;
      case activation::tanh:
        dense_layer_pass<Arch, activation::tanh>(layer, in, target, target_stride, last, rows,
                                                 stride);
        break;
      case activation::relu:
        dense_layer_pass<Arch, activation::relu>(layer, in, target, target_stride, last, rows,
                                                 stride);
        break;
      case activation::leaky_relu:
        dense_layer_pass<Arch, activation::leaky_relu>(layer, in, target, target_stride, last, rows,
                                                       stride);
        break;
      case activation::identity:
      case activation::softmax:
        dense_layer_pass<Arch, activation::identity>(layer, in, target, target_stride, last, rows,
                                                     stride);
        break;
    }
    // Softmax (the output layer only) over each finished row, the network's kernel.
    if (layer.act == activation::softmax) {
      for (std::size_t r = 0; r < rows; ++r) {
        float* row = target + r * target_stride;
        softmax<Arch>(row, row, 1, layer.outputs);
      }
    }
    std::swap(in, out);
  }
}

}  // namespace simdnn::kernels
