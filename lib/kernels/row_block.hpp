// lib/kernels/row_block.hpp — a small network's whole training pass with rows in the lanes.
//
// row_block_forward<Arch>(net, x, batch):
//   every layer's Z = X W + b and, for the hidden layers, A = f(Z), for `batch` rows of x
//   (row-major batch x inputs, already standardized); the output layer's Z is left row-major in
//   net.output_z for the caller's output activation and loss. One call per pass instead of a GEMM,
//   a bias broadcast and an activation per layer.
// row_block_backward<Arch>(net, batch):
//   from the output layer's dL/dZ (row-major, net.output_deltas) every hidden layer's
//   dL/dZ = (dL/dZ_next W_next^T) * f'(A) and every layer's dW = A_prev^T dL/dZ and db = column
//   sums of dL/dZ. Needs the forward's blocks (same batch) untouched since.
// Layout and the 16-row blocks: lib/kernels/row_block_layout.hpp. Preconditions: every width <=
// kRowBlockMaxWidth, batch >= 1 and within the blocks the caller sized, no hidden softmax.
// Aliasing: none between the regions of `net`. Never allocates, never fails.
//
// Order of operations (the network's reproducibility contract, docs/reproducibility.md):
//  - Z and the hidden deltas exactly as the network's sgemm computes them for a batch of two or
//    more rows (lib/kernels/gemm/dispatch.hpp): per element one fma chain from +0 over the inputs
//    (forward) or the next layer's outputs (backward) in increasing order, then + b. So the
//    outputs, the loss and every delta are bitwise those of the unfused path.
//  - dW and db in 16 lane sums: lane l accumulates the rows r = l, l + 16, l + 32, ... in
//    increasing r (dW: one fma chain from +0; db: adds from +0), then the lanes fold as
//    (l, l + 8), (l, l + 4), (l, l + 2), (l, l + 1) — the single-row dot product's fold. Lanes are
//    logical, so AVX2 (two vectors) and AVX-512 (one) add the same numbers in the same order.
//    The unfused path sums each gradient in one chain over the rows; the two differ in rounding
//    only (both within the sgemm accuracy bound of simdnn/sgemm.hpp).
// Activations and their derivatives are the array kernels themselves (bit for bit the network's),
// run over whole layers at once so the accurate sigmoid's long dependency chains overlap; a
// sigmoid layer's derivative g * (a - a^2) is taken in the backward product's stores instead
// (sigmoid_delta's two operations, so the same bits). Transposes: row_block_transpose.hpp.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "kernels/activations.hpp"
#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/row_block_layout.hpp"
#include "kernels/row_block_transpose.hpp"
#include "kernels/sigmoid.hpp"
#include "kernels/tanh.hpp"

namespace simdnn::kernels {

// Vectors per logical 16-lane row block on this ISA.
template <class Arch>
inline constexpr std::size_t row_block_vectors = kRowBlock / xsimd::batch<float, Arch>::size;

// Results [First, First + Count) of one row block's product (below), every vector of the block
// at once, so each weight is broadcast once for all of them.
template <class Arch, std::size_t Width, bool Transposed, std::size_t First, std::size_t Count>
[[gnu::always_inline]] inline void row_block_product_pass(const float* src, std::size_t depth,
                                                          const float* w, const float* bias,
                                                          const float* sigmoid_values,
                                                          float* out) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size, nv = row_block_vectors<Arch>;
  fbatch acc[Count][nv];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Count; ++k) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < nv; ++v) acc[k][v] = fbatch(0.0f);
  }
  for (std::size_t m = 0; m < depth; ++m) {
    fbatch s[nv];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < nv; ++v)
      s[v] = fbatch::load_aligned(src + m * kRowBlock + v * width);
#pragma GCC unroll 16
    for (std::size_t k = 0; k < Count; ++k) {
      const fbatch weight(Transposed ? w[(First + k) * depth + m] : w[m * Width + First + k]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < nv; ++v) {
        acc[k][v] = fused_multiply_add<Arch>(s[v], weight, acc[k][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (std::size_t k = 0; k < Count; ++k) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < nv; ++v) {
      const std::size_t at = (First + k) * kRowBlock + v * width;
      if (bias != nullptr) acc[k][v] = acc[k][v] + fbatch(bias[First + k]);
      if (sigmoid_values != nullptr) {
        acc[k][v] = acc[k][v] * sigmoid_slope<Arch>(fbatch::load_aligned(sigmoid_values + at));
      }
      acc[k][v].store_aligned(out + at);
    }
  }
}

// `blocks` row blocks of a layer's product with its weights, `Width` results per row:
// out_k = (chain over m < depth of fma(src_m, w(m, k)) from +0) + bias_k (no bias: null).
// Forward (Transposed false): src the inputs, depth the layer's inputs, w(m, k) = weights[m *
// Width + k], out Z. Backward (Transposed true): src this layer's dL/dZ, depth its outputs,
// w(m, k) = weights[k * depth + m] (W^T), out the layer below's g; with `sigmoid_values` (the
// layer below's A, in blocks like out) it stores g * (a - a^2), sigmoid_delta's operations, so a
// sigmoid layer's derivative takes no second pass over its deltas. Either way the chain per
// result runs m = 0, 1, ..., the sgemm order. The results go in passes of as many as keep their
// accumulators (one per vector of the block), the block's source vectors and a broadcast weight
// in the ISA's registers (AVX2: 6 of a 10-wide layer, then 4; AVX-512: all 16).
template <class Arch, std::size_t Width, bool Transposed>
void row_block_product(const float* src, std::size_t depth, const float* w, const float* bias,
                       const float* sigmoid_values, float* out, std::size_t blocks) noexcept {
  constexpr std::size_t nv = row_block_vectors<Arch>;
  constexpr std::size_t registers = std::is_same_v<Arch, xsimd::avx512f> ? 32 : 16;
  constexpr std::size_t chunk = std::min(Width, (registers - nv - 1) / nv);
  constexpr std::size_t passes = (Width + chunk - 1) / chunk;
  for (std::size_t b = 0; b < blocks; ++b) {
    const float* block_src = src + b * kRowBlock * depth;
    float* block_out = out + b * kRowBlock * Width;
    const float* block_values =
        sigmoid_values != nullptr ? sigmoid_values + b * kRowBlock * Width : nullptr;
    [&]<std::size_t... P>(std::index_sequence<P...>) {
      (row_block_product_pass<Arch, Width, Transposed, P * chunk,
                              std::min(chunk, Width - P * chunk)>(block_src, depth, w, bias,
                                                                  block_values, block_out),
       ...);
    }
    (std::make_index_sequence<passes>{});
  }
}

// The documented fold of one logical 16-lane sum (lanes: 16 floats, 64-byte aligned): (l, l + 8),
// (l, l + 4), (l, l + 2), (l, l + 1), each a + b with a the lower lane, in registers: AVX-512
// adds its halves, AVX2 its two vectors, SSE2 its four vectors pairwise, then every ISA halves one
// 128-bit vector twice. The same additions as the scalar fold, so the same bits on every ISA.
template <class Arch>
inline float fold_lanes(const float* lanes) noexcept {
  __m128 four;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    const __m512 v = _mm512_load_ps(lanes);
    const __m256 eight =
        _mm256_add_ps(_mm512_castps512_ps256(v),
                      _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    const __m256 eight = _mm256_add_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8));
    four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
  } else {
    four = _mm_add_ps(_mm_add_ps(_mm_load_ps(lanes), _mm_load_ps(lanes + 8)),
                      _mm_add_ps(_mm_load_ps(lanes + 4), _mm_load_ps(lanes + 12)));
  }
  const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
  return _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
}

// dW (and db) of a layer with `Outputs` columns from its inputs' blocks `a` and its deltas'
// blocks `d`: per input i, every output's 16 lane sums in registers across the blocks, then the
// documented fold of all of them at once.
template <class Arch, std::size_t Outputs>
void row_block_gradients(const row_block_layer& layer, const float* a, const float* d,
                         std::size_t blocks) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t nv = row_block_vectors<Arch>;
  constexpr std::size_t width = fbatch::size;
  const std::size_t inputs = layer.inputs;
  const std::size_t a_step = kRowBlock * inputs, d_step = kRowBlock * Outputs;
  alignas(64) float lanes[Outputs][kRowBlock];
  const auto fold_into = [&](float* out) {
#pragma GCC unroll 16
    for (std::size_t j = 0; j < Outputs; ++j) out[j] = fold_lanes<Arch>(lanes[j]);
  };
  for (std::size_t i = 0; i < inputs; ++i) {
    for (std::size_t v = 0; v < nv; ++v) {
      fbatch acc[Outputs];
#pragma GCC unroll 16
      for (std::size_t j = 0; j < Outputs; ++j) acc[j] = fbatch(0.0f);
      for (std::size_t b = 0; b < blocks; ++b) {
        const fbatch av = fbatch::load_aligned(a + b * a_step + i * kRowBlock + v * width);
        const float* db = d + b * d_step + v * width;
#pragma GCC unroll 16
        for (std::size_t j = 0; j < Outputs; ++j) {
          acc[j] = fused_multiply_add<Arch>(av, fbatch::load_aligned(db + j * kRowBlock), acc[j]);
        }
      }
#pragma GCC unroll 16
      for (std::size_t j = 0; j < Outputs; ++j) acc[j].store_aligned(&lanes[j][v * width]);
    }
    fold_into(layer.weight_gradients + i * Outputs);
  }
  if (layer.bias_gradients == nullptr) return;
  for (std::size_t v = 0; v < nv; ++v) {
    fbatch acc[Outputs];
#pragma GCC unroll 16
    for (std::size_t j = 0; j < Outputs; ++j) acc[j] = fbatch(0.0f);
    for (std::size_t b = 0; b < blocks; ++b) {
#pragma GCC unroll 16
      for (std::size_t j = 0; j < Outputs; ++j) {
        acc[j] = acc[j] + fbatch::load_aligned(d + b * d_step + j * kRowBlock + v * width);
      }
    }
#pragma GCC unroll 16
    for (std::size_t j = 0; j < Outputs; ++j) acc[j].store_aligned(&lanes[j][v * width]);
  }
  fold_into(layer.bias_gradients);
}

// The kernels above for a run-time width: one instantiation per width 1..16.
template <class Arch>
struct row_block_kernels {
  using product_fn = void (*)(const float*, std::size_t, const float*, const float*, const float*,
                              float*, std::size_t) noexcept;
  using gradients_fn = void (*)(const row_block_layer&, const float*, const float*,
                                std::size_t) noexcept;
  template <bool Transposed, std::size_t... W>
  static constexpr std::array<product_fn, sizeof...(W)> product_table(std::index_sequence<W...>) {
    return {&row_block_product<Arch, W + 1, Transposed>...};
  }
  template <std::size_t... W>
  static constexpr std::array<gradients_fn, sizeof...(W)> gradients_table(
      std::index_sequence<W...>) {
    return {&row_block_gradients<Arch, W + 1>...};
  }
  static constexpr auto z = product_table<false>(std::make_index_sequence<kRowBlockMaxWidth>{});
  static constexpr auto back = product_table<true>(std::make_index_sequence<kRowBlockMaxWidth>{});
  static constexpr auto gradients = gradients_table(std::make_index_sequence<kRowBlockMaxWidth>{});
};

// A = f(Z) in place over n floats: the array kernels, so bit for bit the unfused network's.
template <class Arch>
inline void row_block_activate(const row_block_layer& layer, float* values,
                               std::size_t n) noexcept {
  switch (layer.act) {
    case activation::sigmoid:
      sigmoid<Arch>(values, values, n);
      return;
    case activation::sigmoid_fast:
      sigmoid_fast<Arch>(values, values, n);
      return;
    case activation::tanh:
      tanh<Arch>(values, values, n);
      return;
    case activation::relu:
      relu<Arch>(values, values, n);
      return;
    case activation::leaky_relu:
      leaky_relu<Arch>(values, values, n, layer.activation_parameter);
      return;
    case activation::identity:
    case activation::softmax:  // never hidden (the network rejects it)
      return;
  }
}

// D = G * f'(A) in place over n floats, the array kernels again.
template <class Arch>
inline void row_block_derivative(const row_block_layer& layer, float* deltas,
                                 std::size_t n) noexcept {
  switch (layer.act) {
    case activation::sigmoid:
    case activation::sigmoid_fast:
      sigmoid_delta<Arch>(deltas, layer.values, deltas, n);
      return;
    case activation::tanh:
      tanh_delta<Arch>(deltas, layer.values, deltas, n);
      return;
    case activation::relu:
      relu_delta<Arch>(deltas, layer.values, deltas, n);
      return;
    case activation::leaky_relu:
      leaky_relu_delta<Arch>(deltas, layer.values, deltas, n, layer.activation_parameter);
      return;
    case activation::identity:
    case activation::softmax:
      return;
  }
}

// Lanes of the last block past the batch back to 0 after an activation: f(b) there could be
// large, and its next layer's f(f(b) W + b) overflow to inf, which times the padding's zero delta
// would put a NaN into dW. With zeros the padding contributes exact zeros everywhere.
template <class Arch>
inline void zero_padding_lanes(float* last_block, std::size_t batch, std::size_t cols) noexcept {
  const std::size_t valid = batch - (row_blocks(batch) - 1) * kRowBlock;
  if (valid == kRowBlock) return;
  for (std::size_t f = 0; f < cols; ++f) {
    for (std::size_t r = valid; r < kRowBlock; ++r) last_block[f * kRowBlock + r] = 0.0f;
  }
}

// One row: the same sums with the features in the lanes instead (z_j = chain over i of
// fma(x_i, w_ij) from +0, then + b_j: per element the operations of a row block, so the result
// is bitwise the row's result inside any batch), one vector of a layer's outputs rather than a
// 16-row block per feature. The values still go to lane 0 of the blocks (the other lanes 0), so
// backward runs unchanged.
template <class Arch>
void row_block_forward_one_row(const row_block_network& net, const float* x) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  alignas(64) float row[2][kRowBlockMaxWidth];
  const std::size_t inputs = net.layers[0].inputs;
  rows_to_block<Arch>(x, inputs, 1, inputs, net.input_blocks);
  const float* in = x;
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    const row_block_layer& layer = net.layers[l];
    const bool last = l + 1 == net.layer_count;
    const std::size_t outputs = layer.outputs;
    float* out = last ? net.output_z : row[l % 2];
    for (std::size_t c = 0; c < outputs; c += width) {
      const std::size_t count = std::min(width, outputs - c);
      fbatch acc(0.0f);
      for (std::size_t i = 0; i < layer.inputs; ++i) {
        acc = fused_multiply_add<Arch>(
            fbatch(in[i]), load_partial<Arch>(layer.weights + i * outputs + c, count), acc);
      }
      if (layer.biases != nullptr) acc = acc + load_partial<Arch>(layer.biases + c, count);
      if (count == width) {
        acc.store_unaligned(out + c);
      } else {
        store_partial<Arch>(acc, out + c, count);  // count < width only
      }
    }
    if (!last) {
      row_block_activate<Arch>(layer, out, outputs);
      rows_to_block<Arch>(out, outputs, 1, outputs, layer.values);
    }
    in = out;
  }
}

template <class Arch>
void row_block_forward(const row_block_network& net, const float* x, std::size_t batch) noexcept {
  if (batch == 1) {
    row_block_forward_one_row<Arch>(net, x);
    return;
  }
  const std::size_t blocks = row_blocks(batch);
  rows_to_blocks<Arch>(x, batch, net.layers[0].inputs, net.input_blocks);
  const float* in = net.input_blocks;
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    const row_block_layer& layer = net.layers[l];
    const bool last = l + 1 == net.layer_count;
    // The output layer's Z goes through the output delta blocks (free until backward) to rows.
    float* z = last ? net.output_delta_blocks : layer.values;
    row_block_kernels<Arch>::z[layer.outputs - 1](in, layer.inputs, layer.weights, layer.biases,
                                                  nullptr, z, blocks);
    if (last) {
      blocks_to_rows<Arch>(z, batch, layer.outputs, net.output_z);
    } else {
      row_block_activate<Arch>(layer, z, blocks * kRowBlock * layer.outputs);
      zero_padding_lanes<Arch>(z + (blocks - 1) * kRowBlock * layer.outputs, batch, layer.outputs);
    }
    in = z;
  }
}

template <class Arch>
void row_block_backward(const row_block_network& net, std::size_t batch) noexcept {
  const std::size_t blocks = row_blocks(batch);
  const std::size_t last = net.layer_count - 1;
  rows_to_blocks<Arch>(net.output_deltas, batch, net.layers[last].outputs, net.output_delta_blocks);
  for (std::size_t l = last + 1; l-- > 0;) {
    const row_block_layer& layer = net.layers[l];
    const float* d = l == last ? net.output_delta_blocks : layer.deltas;
    const float* a = l == 0 ? net.input_blocks : net.layers[l - 1].values;
    row_block_kernels<Arch>::gradients[layer.outputs - 1](layer, a, d, blocks);
    if (l == 0) break;
    const row_block_layer& below = net.layers[l - 1];
    // A sigmoid's derivative in the product's stores; the others' by their array kernels.
    const bool sigmoid = below.act == activation::sigmoid || below.act == activation::sigmoid_fast;
    row_block_kernels<Arch>::back[below.outputs - 1](d, layer.outputs, layer.weights, nullptr,
                                                     sigmoid ? below.values : nullptr, below.deltas,
                                                     blocks);
    if (!sigmoid)
      row_block_derivative<Arch>(below, below.deltas, blocks * kRowBlock * below.outputs);
  }
}

}  // namespace simdnn::kernels
