// simdnn/network.hpp — a fully-connected network whose every byte is planned at construction.
//
// Layer l maps a batch of rows X (batch x widths[l]) to Z = X * W_l + b_l (W_l is widths[l] x
// widths[l+1], row-major; b_l has widths[l+1] entries, absent with bias off) and A = f_l(Z).
// Construction lays out one 64-byte-aligned arena holding weights, biases, their gradients,
// pre-activations and activations for max_batch rows, deltas, GEMM packing workspace, optimizer
// state and input standardization statistics. After construction forward, backward, step,
// train_batch and loss are noexcept and never allocate; misuse returns a status, never UB
// (simdnn/status.hpp: the error model and every code).
//
// Loss: squared error between the last layer's activations Y and targets T (batch x outputs).
//   loss_reduction::mean: L = sum (y - t)^2 / (batch * outputs)      (the default)
//   loss_reduction::sum:  L = sum (y - t)^2
// The lecture notebook descends on E = 1/2 * sum (y - t)^2 with rate lr_nb, i.e. W -= lr_nb *
// dE/dW. Since dL_sum/dW = 2 dE/dW, step(lr) with the sum reduction reproduces it exactly at lr =
// lr_nb / 2.
//
// Determinism: the same widths, options (seed included) and ISA give bitwise the same initial
// weights and the same training run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "simdnn/isa.hpp"
#include "simdnn/status.hpp"  // status, result<T>, status_message: what the hot paths return

namespace simdnn {

enum class activation : unsigned char {
  sigmoid,   // 1 / (1 + exp(-z)); backprop reuses the saved output: f' = a * (1 - a)
  identity,  // f(z) = z, e.g. a linear output layer for regression
};

enum class weight_init : unsigned char {
  xavier_uniform,  // U(-r, r), r = sqrt(6 / (fan_in + fan_out)) — the default
  uniform_pm1,     // U(-1, 1), as in the lecture notebook
};

enum class loss_reduction : unsigned char { mean, sum };

struct network_options {
  // One per layer (widths.size() - 1 entries); empty means sigmoid everywhere.
  std::vector<activation> activations;
  bool bias = true;
  std::size_t max_batch = 256;
  weight_init init = weight_init::xavier_uniform;
  std::uint64_t seed = 1;
  loss_reduction reduction = loss_reduction::mean;
  // The ISA the network's kernels dispatch to (default: the best one, capped by SIMDNN_ISA). On
  // AVX2 and AVX-512 a run is bitwise the same (README, "Reproducibility"); SSE2 may differ in
  // the last bits. The constructor throws std::invalid_argument if this CPU/OS cannot run it.
  isa kernels = active_isa();
};

class network {
 public:
  // Throws std::invalid_argument on fewer than 2 widths, a zero width, max_batch == 0, a wrong
  // number of activations, or sizes that overflow; std::bad_alloc if the arena cannot be had.
  network(std::span<const std::size_t> widths, const network_options& options = {});
  // Builds inside caller-owned memory (e.g. a static buffer): no heap use at all, here or later.
  // `memory` must hold at least arena_bytes(widths, options) bytes (any alignment; the network
  // aligns inside it) and outlive the network. Throws std::invalid_argument if it is too small.
  network(std::span<const std::size_t> widths, const network_options& options,
          std::span<std::byte> memory);

  network(network&&) noexcept;
  network& operator=(network&&) noexcept;
  network(const network&) = delete;
  network& operator=(const network&) = delete;
  ~network();

  // Bytes the arena needs for this topology and options, before building anything (includes the
  // slack to align a caller's buffer).
  [[nodiscard]] static std::size_t arena_bytes(std::span<const std::size_t> widths,
                                               const network_options& options = {});
  [[nodiscard]] std::size_t arena_bytes() const noexcept;

  [[nodiscard]] std::size_t layer_count() const noexcept;  // widths.size() - 1
  [[nodiscard]] std::span<const std::size_t> widths() const noexcept;
  [[nodiscard]] std::size_t input_width() const noexcept;
  [[nodiscard]] std::size_t output_width() const noexcept;
  [[nodiscard]] std::size_t max_batch() const noexcept;
  [[nodiscard]] bool has_bias() const noexcept;
  [[nodiscard]] activation layer_activation(std::size_t layer) const noexcept;
  [[nodiscard]] std::size_t parameter_count() const noexcept;
  [[nodiscard]] isa kernels() const noexcept;  // the ISA it dispatches to

  // Read/write views into the arena (layer < layer_count(), else empty). Weights are
  // widths[l] x widths[l+1] row-major; biases are empty when bias is off.
  [[nodiscard]] std::span<float> weights(std::size_t layer) noexcept;
  [[nodiscard]] std::span<const float> weights(std::size_t layer) const noexcept;
  [[nodiscard]] std::span<float> biases(std::size_t layer) noexcept;
  [[nodiscard]] std::span<const float> biases(std::size_t layer) const noexcept;
  [[nodiscard]] std::span<const float> weight_gradients(std::size_t layer) const noexcept;
  [[nodiscard]] std::span<const float> bias_gradients(std::size_t layer) const noexcept;

  // Optional z-score standardization applied to inputs inside forward: x' = (x - mean) / stddev.
  // Kept in the arena (and with the model) so predictions use the training statistics. Throws
  // std::invalid_argument on wrong sizes, non-finite values or stddev <= 0.
  void set_input_standardization(std::span<const float> mean, std::span<const float> stddev);
  void clear_input_standardization() noexcept;
  [[nodiscard]] bool has_input_standardization() const noexcept;
  [[nodiscard]] std::span<const float> input_mean() const noexcept;    // empty when off
  [[nodiscard]] std::span<const float> input_stddev() const noexcept;  // empty when off

  // Runs `batch` rows (inputs: batch x input_width, row-major) through the network and returns a
  // view of the outputs (batch x output_width), valid until the next forward. Saves what
  // backward needs.
  [[nodiscard]] result<std::span<const float>> forward(std::span<const float> inputs,
                                                       std::size_t batch) noexcept;
  // Loss of the last forward's outputs against targets (batch x output_width).
  [[nodiscard]] result<float> loss(std::span<const float> targets) const noexcept;
  // Gradients of the loss w.r.t. every weight and bias, from the last forward's saved activations.
  // forward copies (or standardizes) its inputs into the arena, so the caller's span need not
  // outlive it. no_forward_pass also after a step: the saved activations then predate the weights.
  [[nodiscard]] status backward(std::span<const float> targets) noexcept;
  // Plain SGD: w -= lr * dL/dw for every weight and bias. Uses the gradients up: a second step
  // needs a new backward (no_backward_pass), so one gradient is never applied twice by mistake.
  // A non-finite learning rate is non_finite_input.
  [[nodiscard]] status step(float learning_rate) noexcept;
  // forward + loss + backward + step; returns the loss before the update.
  [[nodiscard]] result<float> train_batch(std::span<const float> inputs,
                                          std::span<const float> targets, std::size_t batch,
                                          float learning_rate) noexcept;

 private:
  struct impl;
  // The impl lives inside the arena itself, so a network built in caller memory touches no heap.
  impl* impl_ = nullptr;
};

}  // namespace simdnn
