// lib/nn/losses.cpp — the network's losses (formulas: simdnn/network.hpp, "Losses"): each sum in
// double in a fixed order, and the output deltas written in the same pass. The cross-entropies are
// scalar code compiled for the baseline ISA only; the squared error is a kernel
// (lib/kernels/squared_error.hpp) whose IEEE double operations run in the same fixed order on
// every ISA. Either way a loss is bitwise the same on every machine.
#include "nn/losses.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "simdnn/network.hpp"

namespace simdnn::nn {

namespace {

// The sum of term(i) over i < n in double, in eight interleaved partial sums added in order at
// the end: a fixed order (so loss() and train_batch() agree bitwise) that is short enough a chain
// not to stall on add latency. The squared error's kernel sums in the same order.
template <class Term>
double eight_lane_sum(std::size_t n, Term term) noexcept {
  constexpr std::size_t lanes = 8;
  double partial[lanes] = {};
  std::size_t i = 0;
  // Whole rounds of eight first: the same additions, but a fixed inner loop the compiler unrolls.
  for (; i + lanes <= n; i += lanes) {
    for (std::size_t l = 0; l < lanes; ++l) partial[l] += term(i + l);
  }
  for (; i < n; ++i) partial[i % lanes] += term(i);
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

// Binary cross-entropy from the logits z: max(z, 0) - z t + log1p(exp(-|z|)) per element, which
// is finite for every finite z (the naive -t log y - (1 - t) log(1 - y) is infinite once y rounds
// to 0 or 1). delta = scale (y - t): the sigmoid's derivative cancels against the loss's.
double binary_cross_entropy_sum(const float* z, const float* y, const float* t, std::size_t n,
                                float* delta, float scale) noexcept {
  return eight_lane_sum(n, [&](std::size_t i) {
    const double zi = z[i], ti = t[i];
    if (delta != nullptr) delta[i] = scale * (y[i] - t[i]);
    return std::max(zi, 0.0) - zi * ti + std::log1p(std::exp(-std::fabs(zi)));
  });
}

// Softmax cross-entropy from the logits, row by row: sum_j t_j (lse - z_j), lse = m +
// log(sum_k exp(z_k - m)) around the row's maximum m, all in double (z_k - m is at most twice
// float's range, so nothing overflows). delta_j = scale (y_j T - t_j) with T = sum_j t_j, the exact
// gradient for any targets (y - t for rows that sum to 1, whatever the softmax's rounding).
double softmax_cross_entropy_sum(const float* z, const float* y, const float* t, std::size_t rows,
                                 std::size_t cols, float* delta, float scale) noexcept {
  double total = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* zr = z + r * cols;
    const float* tr = t + r * cols;
    double m = zr[0];
    for (std::size_t j = 1; j < cols; ++j) m = std::max(m, static_cast<double>(zr[j]));
    double exp_sum = 0.0, target_sum = 0.0, weighted = 0.0;
    for (std::size_t j = 0; j < cols; ++j) {
      exp_sum += std::exp(static_cast<double>(zr[j]) - m);
      target_sum += tr[j];
      weighted += static_cast<double>(tr[j]) * (static_cast<double>(zr[j]) - m);
    }
    // sum_j t_j (lse - z_j) = T log(sum exp(z - m)) - sum_j t_j (z_j - m).
    total += target_sum * std::log(exp_sum) - weighted;
    if (delta != nullptr) {
      const float* yr = y + r * cols;
      float* dr = delta + r * cols;
      for (std::size_t j = 0; j < cols; ++j) {
        dr[j] = static_cast<float>(static_cast<double>(scale) *
                                   (static_cast<double>(yr[j]) * target_sum - tr[j]));
      }
    }
  }
  return total;
}

// The loss's divisor under the mean reduction (simdnn/network.hpp): every output for the
// elementwise losses, every row for the softmax cross-entropy.
double mean_divisor(const network_state& net, std::size_t batch) noexcept {
  const std::size_t outputs = net.layers[net.layer_count - 1].outputs;
  if (net.loss == loss_function::softmax_cross_entropy) return static_cast<double>(batch);
  return static_cast<double>(batch * outputs);
}

}  // namespace

// dL/dy per output: the squared error's derivative carries a factor 2, the cross-entropies' none.
float loss_scale(const network_state& net, std::size_t batch) noexcept {
  const double factor = net.loss == loss_function::squared_error ? 2.0 : 1.0;
  if (net.reduction == loss_reduction::sum) return static_cast<float>(factor);
  return static_cast<float>(factor / mean_divisor(net, batch));
}

float reduce_loss(const network_state& net, double sum, std::size_t batch) noexcept {
  if (net.reduction == loss_reduction::sum) return static_cast<float>(sum);
  return static_cast<float>(sum / mean_divisor(net, batch));
}

// The loss's sum over the saved batch against `targets` (already checked finite and sized), and
// with `delta` the output deltas dL/dZ of the last layer: the cross-entropies fuse the output
// activation's derivative into y - t; the squared error's dL/dY goes through the activation's
// derivative here, in the same pass for a sigmoid output.
double output_loss(const network_state& net, const float* targets, std::size_t batch,
                   float* delta) noexcept {
  const layer_state& last = net.layers[net.layer_count - 1];
  const std::size_t count = batch * last.outputs;
  const float scale = delta != nullptr ? loss_scale(net, batch) : 0.0f;
  switch (net.loss) {
    case loss_function::binary_cross_entropy:
      return binary_cross_entropy_sum(last.pre_activations, last.activations, targets, count, delta,
                                      scale);
    case loss_function::softmax_cross_entropy:
      return softmax_cross_entropy_sum(last.pre_activations, last.activations, targets, batch,
                                       last.outputs, delta, scale);
    case loss_function::squared_error:
      break;
  }
  const kernels::kernel_table& k = *net.kernels;
  // sigmoid_delta's factor y (1 - y), taken in the loss's pass (the same operations on the same
  // values as the activation's own backward kernel).
  const bool sigmoid_output =
      last.act == activation::sigmoid || last.act == activation::sigmoid_fast;
  const double sum =
      k.squared_error(last.activations, targets, count, delta, scale, sigmoid_output);
  if (delta != nullptr && !sigmoid_output) {
    const float* saved =
        last.descriptor->derivative_from_output ? last.activations : last.pre_activations;
    last.descriptor->backward(k, delta, saved, delta, batch, last.outputs,
                              last.activation_parameter);
  }
  return sum;
}

}  // namespace simdnn::nn
