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
// Activations: one per layer (simdnn/activation.hpp), with an optional parameter per layer
// (leaky_relu's slope). softmax only as the last layer.
//
// Losses (network_options::loss; Y the last layer's outputs, T the targets, batch x outputs):
//   squared_error:          mean: sum (y - t)^2 / (batch * outputs)    sum: sum (y - t)^2
//     Any output activation; the output delta goes back through the activation's derivative.
//   binary_cross_entropy:   -[t log y + (1 - t) log(1 - y)] per output, computed from the logits
//     z as max(z, 0) - z t + log1p(exp(-|z|)) (finite for every finite z); mean divides by batch *
//     outputs. Needs a sigmoid or sigmoid_fast output layer; delta = scale (y - t) (the sigmoid's
//     derivative cancels). Targets in [0, 1].
//   softmax_cross_entropy:  -sum_j t_j log softmax(z)_j per row, as sum_j t_j (lse(z) - z_j) with
//     lse the log-sum-exp around the row's maximum (finite for logits anywhere in float's
//     range); mean divides by batch. Needs a softmax output layer; delta = scale (y T - t) with
//     T = sum_j t_j, fused (y - t for the usual targets: rows of probabilities summing to 1).
// Loss values are accumulated in double in a fixed order, so loss() and train_batch() agree.
// The lecture notebook descends on E = 1/2 * sum (y - t)^2 with rate lr_nb, i.e. W -= lr_nb *
// dE/dW. Since dL_sum/dW = 2 dE/dW, plain SGD with the sum reduction reproduces it at lr = lr_nb
// / 2.
//
// Optimizers (network_options::optimizer; g the gradient, p a parameter, lr the learning rate;
// state in the arena, all arithmetic in float with one fixed order, so a run is reproducible):
//   sgd:       p -= lr (g + wd p)
//   momentum:  v = mu v + (g + wd p); p -= lr v, or with nesterov p -= lr ((g + wd p) + mu v)
//   adam:      g' = g + wd p; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
//              p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   (Kingma & Ba, L2 decay)
//   adamw:     as adam on g, with the decay decoupled: p -= lr wd p first (Loshchilov & Hutter)
//   rprop:     iRPROP- (Igel & Husken), FANN's default: per parameter a step size s; if g and the
//              previous g agree in sign s = min(s eta+, s_max), if they disagree s = max(s eta-,
//              s_min) and g is forgotten (no move); then p -= sign(g) s. lr is not used. Meant for
//              whole-batch gradients (the trainer uses one batch per epoch with it).
// The bias-correction factors of adam are computed in double from the step count t.
//
// Determinism: the same widths, options (seed included) and ISA give bitwise the same initial
// weights and the same training run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "simdnn/activation.hpp"  // enum activation
#include "simdnn/isa.hpp"
#include "simdnn/status.hpp"  // status, result<T>, status_message: what the hot paths return

namespace simdnn {

enum class weight_init : unsigned char {
  xavier_uniform,  // U(-r, r), r = sqrt(6 / (fan_in + fan_out)) — the default
  uniform_pm1,     // U(-1, 1), as in the lecture notebook
};

enum class loss_reduction : unsigned char { mean, sum };

// The numeric values are part of the ABI: new losses are added at the end.
enum class loss_function : unsigned char {
  squared_error,
  binary_cross_entropy,
  softmax_cross_entropy,
};
// "squared_error", "binary_cross_entropy", "softmax_cross_entropy"; "unknown" otherwise.
[[nodiscard]] const char* loss_name(loss_function f) noexcept;

enum class optimizer_kind : unsigned char { sgd, momentum, adam, adamw, rprop };
// "sgd", "momentum", "adam", "adamw", "rprop"; "unknown" otherwise.
[[nodiscard]] const char* optimizer_name(optimizer_kind k) noexcept;

// Every optimizer's settings (formulas above); those of other kinds do not act, but all are
// validated whatever the kind. The constructor throws std::invalid_argument for a value that
// cannot work (a negative rate, beta outside
// [0, 1), eta- outside (0, 1), eta+ <= 1, 0 < s_min <= s_0 <= s_max violated, non-finite).
struct optimizer_options {
  optimizer_kind kind = optimizer_kind::sgd;
  float learning_rate = 0.1f;  // step() and train_batch() without a rate use it
  float weight_decay = 0.0f;   // wd above (every optimizer but rprop)
  float momentum = 0.9f;       // mu
  bool nesterov = false;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float rprop_increase = 1.2f;      // eta+
  float rprop_decrease = 0.5f;      // eta-
  float rprop_initial_step = 0.1f;  // s_0 (FANN's delta_zero)
  float rprop_min_step = 1e-6f;     // s_min
  float rprop_max_step = 50.0f;     // s_max (FANN's delta_max)
};

struct network_options {
  // One per layer (widths.size() - 1 entries); empty means sigmoid everywhere.
  std::vector<activation> activations;
  // One per layer, or empty for each activation's default (leaky_relu: default_leaky_relu_slope,
  // the others 0). Only leaky_relu takes one; the others' must be 0.
  std::vector<float> activation_parameters;
  loss_function loss = loss_function::squared_error;
  optimizer_options optimizer;
  bool bias = true;
  std::size_t max_batch = 256;
  weight_init init = weight_init::xavier_uniform;
  std::uint64_t seed = 1;
  loss_reduction reduction = loss_reduction::mean;
  // The ISA the network's kernels dispatch to (default: the best one, capped by SIMDNN_ISA). On
  // AVX2 and AVX-512 a run is bitwise the same (README, "Reproducibility"); SSE2 may differ in
  // the last bits. The constructor throws std::invalid_argument if this CPU/OS cannot run it.
  isa kernels = active_isa();
  // Threads that forward, backward, step and train_batch share a large pass among (1 to 64).
  // Opt-in and per network: with the default 1 the network starts no thread and runs on the
  // caller's, as always. With t > 1 the constructor starts t - 1 worker threads owned by this
  // network alone (not the sgemm pool: no lock shared with other networks or sgemm calls), and
  // each pass of at least 2^20 multiply-adds (batch x the sum of widths[l] x widths[l+1]) is
  // split among the caller and the workers: GEMMs by rows or columns of their result (never
  // along k), elementwise work by ranges, every sum in its single-threaded order, so results are
  // bitwise identical to one thread. Smaller passes run on the caller alone. Small networks
  // (every width <= 16: the fused row-block path) always run on one thread and start none.
  // Still no allocation after construction: the workers' packing workspaces are in the arena.
  // Starting the workers is the constructor's only heap use beyond the arena (std::thread), also
  // with caller memory. Idle workers sleep; waiting inside a pass they spin briefly first.
  std::size_t threads = 1;
};

class network {
 public:
  // Throws std::invalid_argument on fewer than 2 widths, a zero width, max_batch == 0, a wrong
  // number of activations, threads outside 1 to 64, or sizes that overflow; std::bad_alloc if
  // the arena cannot be had, std::system_error if a worker thread cannot be started.
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
  [[nodiscard]] float layer_activation_parameter(std::size_t layer) const noexcept;
  [[nodiscard]] loss_function loss_kind() const noexcept;
  [[nodiscard]] loss_reduction reduction() const noexcept;
  [[nodiscard]] const optimizer_options& optimizer() const noexcept;
  // Updates applied since construction or reset_optimizer() (adam's t).
  [[nodiscard]] std::uint64_t optimizer_steps() const noexcept;
  // Zeroes the optimizer's state (moments, velocities, RPROP steps back to s_0) and its step count.
  void reset_optimizer() noexcept;
  [[nodiscard]] std::size_t parameter_count() const noexcept;
  [[nodiscard]] isa kernels() const noexcept;  // the ISA it dispatches to
  // Threads a large pass runs on: options.threads, or 1 for a small (row-block) network.
  [[nodiscard]] std::size_t threads() const noexcept;

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
  // One update of every weight and bias by the configured optimizer, with the options' learning
  // rate or the one given (RPROP ignores it). Uses the gradients up: a second step needs a new
  // backward (no_backward_pass), so one gradient is never applied twice by mistake. A non-finite
  // learning rate is non_finite_input.
  [[nodiscard]] status step() noexcept;
  [[nodiscard]] status step(float learning_rate) noexcept;
  // forward + loss + backward + step; returns the loss before the update.
  [[nodiscard]] result<float> train_batch(std::span<const float> inputs,
                                          std::span<const float> targets,
                                          std::size_t batch) noexcept;
  [[nodiscard]] result<float> train_batch(std::span<const float> inputs,
                                          std::span<const float> targets, std::size_t batch,
                                          float learning_rate) noexcept;
  // The last forward pass's outputs (batch x output_width; train_batch's too: computed before its
  // update), or empty before any forward.
  [[nodiscard]] std::span<const float> outputs() const noexcept;

 private:
  struct impl;
  // The impl lives inside the arena itself, so a network built in caller memory touches no heap.
  impl* impl_ = nullptr;
};

}  // namespace simdnn
