// lib/nn/network_run.cpp — running a simdnn::network: the passes (forward, backward, update) and
// the accessors.
//
// Everything here works inside the arena network_plan.cpp built, and nothing allocates: the
// GEMMs and activations go through the kernel table (lib/kernels/table.hpp) with packing
// workspace planned in the arena, and the few loops here (copies, column sums) are plain scalar
// code the compiler vectorizes. The losses are in losses.cpp, the optimizers in optimizers.cpp,
// how a pass is shared among threads in work_split.hpp. Misuse returns a status
// (simdnn/status.hpp). Compiled for the baseline ISA only.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "common/finite.hpp"
#include "kernels/table.hpp"
#include "nn/losses.hpp"
#include "nn/network_state.hpp"
#include "nn/optimizers.hpp"
#include "nn/work_split.hpp"
#include "simdnn/network.hpp"

namespace simdnn {

namespace {

using nn::crew;
using nn::fail;
using nn::gemm_split;
using nn::index_range;
using nn::layer_state;
using nn::network_state;

using detail::all_finite;
using nn::choose_split;
using nn::gemm_share;
using nn::output_loss;
using nn::reduce_loss;
using nn::row_share;
using nn::sgemm_share;
using nn::share_of;
using nn::step_range;

// out = x, and whether x is all finite (one pass instead of a check then a copy; the test is
// lib/common/finite.hpp's, fused into the copy).
bool copy_checked(const float* x, float* out, std::size_t n) noexcept {
  std::uint32_t flags = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = x[i];
    flags |= (std::bit_cast<std::uint32_t>(x[i]) & 0x7F800000u) + 0x00800000u;
  }
  return (flags & 0x80000000u) == 0;
}

// out = (x - mean) / stddev per column, and whether x is all finite.
bool standardize_checked(const float* x, const float* mean, const float* stddev, float* out,
                         std::size_t rows, std::size_t cols) noexcept {
  std::uint32_t flags = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float* row_out = out + r * cols;
    for (std::size_t j = 0; j < cols; ++j) {
      row_out[j] = (row[j] - mean[j]) / stddev[j];
      flags |= (std::bit_cast<std::uint32_t>(row[j]) & 0x7F800000u) + 0x00800000u;
    }
  }
  return (flags & 0x80000000u) == 0;
}

// out[j] = sum over rows of m[r][j] (row r at m + r * ld). Four interleaved partial sums per
// column (rows r, r+1, r+2, r+3), combined pairwise at the end: a fixed order, so results are
// reproducible (and the same for any split of the columns among threads), and four independent
// add chains instead of one, which matters when a column is 150 rows of 3 values.
void column_sums(const float* m, std::size_t rows, std::size_t cols, std::size_t ld,
                 float* out) noexcept {
  constexpr std::size_t block = 16;
  for (std::size_t j0 = 0; j0 < cols; j0 += block) {
    const std::size_t width = std::min(block, cols - j0);
    float acc[4][block] = {};
    std::size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
      for (std::size_t q = 0; q < 4; ++q) {
        const float* row = m + (r + q) * ld + j0;
        for (std::size_t j = 0; j < width; ++j) acc[q][j] += row[j];
      }
    }
    for (; r < rows; ++r) {
      const float* row = m + r * ld + j0;
      for (std::size_t j = 0; j < width; ++j) acc[0][j] += row[j];
    }
    for (std::size_t j = 0; j < width; ++j) {
      out[j0 + j] = (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
    }
  }
}

// Every row of z (rows x cols) := b, by doubling copies: log2(rows) memcpy calls, not one per row
// (a call per 12-byte row cost more than the GEMM on Iris-sized layers). With ld > cols (a
// thread's columns of a wider z) one copy per row.
void broadcast_rows(const float* b, float* z, std::size_t rows, std::size_t cols,
                    std::size_t ld) noexcept {
  if (ld != cols) {
    for (std::size_t r = 0; r < rows; ++r) std::memcpy(z + r * ld, b, cols * sizeof(float));
    return;
  }
  if (rows == 0) return;
  std::memcpy(z, b, cols * sizeof(float));
  for (std::size_t filled = 1; filled < rows;) {
    const std::size_t copied = std::min(filled, rows - filled);
    std::memcpy(z + filled * cols, z, copied * cols * sizeof(float));
    filled += copied;
  }
}

// The row-block kernels' view of the network (a few stores per layer, rebuilt per pass so it can
// never go stale when the network moves).
using row_block_layers = kernels::row_block_layer[kernels::kRowBlockMaxLayers];

kernels::row_block_network row_block_view(const network_state& net,
                                          row_block_layers& layers) noexcept {
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    const layer_state& s = net.layers[l];
    layers[l] = {s.inputs, s.outputs,     s.act,    s.activation_parameter, s.weights,
                 s.biases, s.activations, s.deltas, s.weight_gradients,     s.bias_gradients};
  }
  const layer_state& last = net.layers[net.layer_count - 1];
  return {layers,      net.layer_count,        net.input_blocks, last.pre_activations,
          last.deltas, net.output_delta_blocks};
}

// Runs the layers on `batch` rows of x (already checked and standardized). Never fails.
void run_forward(network_state& net, const float* x, std::size_t batch, const crew& c) noexcept {
  const kernels::kernel_table& k = *net.kernels;
  if (net.row_blocked) {
    // Every hidden layer in one call; the output layer's Z comes back row-major, and its
    // activation runs on rows exactly as below. Always one part (no team is started).
    row_block_layers layers;
    k.row_block_forward(row_block_view(net, layers), x, batch);
    const layer_state& last = net.layers[net.layer_count - 1];
    last.descriptor->forward(k, last.pre_activations, last.activations, batch, last.outputs,
                             last.activation_parameter);
    return;
  }
  float* workspace = net.workspace + c.part * net.workspace_floats;
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    layer_state& layer = net.layers[l];
    const std::size_t out = layer.outputs;
    float* z = layer.pre_activations;
    const gemm_split split = choose_split(batch, out, k.blocking, c.parts);
    const index_range share = gemm_share(split, batch, out, k.blocking, c);
    const bool by_rows = split == gemm_split::rows;
    const index_range rows = by_rows ? share : index_range{0, batch};
    const index_range cols = by_rows ? index_range{0, out} : share;
    if (kernels::fuses_into_sgemm(layer.act)) {
      // Z := X W + b and A := f(Z) in one pass over each tile (lib/kernels/gemm/epilogue.hpp):
      // bitwise the sequence below, and elementwise, so each part's share needs no barrier.
      nn::dense_forward_share(k, split, share, batch, out, layer.inputs, x, layer.inputs,
                              layer.weights, out, net.bias ? layer.biases : nullptr, z, out,
                              layer.activations, out, layer.act, layer.activation_parameter,
                              workspace);
      c.sync();  // the next layer reads every row
      x = layer.activations;
      continue;
    }
    // Softmax needs whole rows: the product, then the activation on rows.
    float beta = 0.0f;  // beta == 0: the kernel never reads z, whatever it holds
    if (net.bias && share.size() != 0) {
      // Z = X W + b as Z := b (every row), then Z := X W + 1 * Z.
      broadcast_rows(layer.biases + cols.first, z + rows.first * out + cols.first, rows.size(),
                     cols.size(), out);
      beta = 1.0f;
    }
    sgemm_share(k, split, share, false, false, batch, out, layer.inputs, x, layer.inputs,
                layer.weights, out, beta, z, out, workspace);
    // The activation on whole rows (softmax needs them): this part's own when it computed rows,
    // else every part's columns must be in first.
    index_range act_rows = share;
    if (!by_rows) {
      c.sync();
      act_rows = row_share(batch, k, c);
    }
    if (act_rows.size() != 0) {
      layer.descriptor->forward(k, z + act_rows.first * out,
                                layer.activations + act_rows.first * out, act_rows.size(), out,
                                layer.activation_parameter);
    }
    c.sync();  // the next layer reads every row
    x = layer.activations;
  }
}

// deltas := deltas * f'(Z) in place on rows [first, last), f' from the saved output (or Z where
// the activation needs it).
void apply_activation_derivative(const kernels::kernel_table& k, layer_state& layer,
                                 index_range rows) noexcept {
  if (rows.size() == 0) return;
  const float* saved =
      layer.descriptor->derivative_from_output ? layer.activations : layer.pre_activations;
  const std::size_t offset = rows.first * layer.outputs;
  layer.descriptor->backward(k, layer.deltas + offset, saved + offset, layer.deltas + offset,
                             rows.size(), layer.outputs, layer.activation_parameter);
}

// Backward from the output deltas dL/dZ of the last layer (through its activation already) to
// every gradient.
void run_backward(network_state& net, const crew& c) noexcept {
  const kernels::kernel_table& k = *net.kernels;
  const std::size_t batch = net.saved_batch;
  if (net.row_blocked) {
    row_block_layers layers;
    k.row_block_backward(row_block_view(net, layers), batch);
    return;
  }
  float* workspace = net.workspace + c.part * net.workspace_floats;
  for (std::size_t l = net.layer_count; l-- > 0;) {
    layer_state& layer = net.layers[l];
    const std::size_t in = layer.inputs, out = layer.outputs;
    const float* x = l == 0 ? net.saved_inputs : net.layers[l - 1].activations;
    // dW = X^T delta: X is stored batch x inputs, so op(A) = X^T is inputs x batch.
    const gemm_split dw_split = choose_split(in, out, k.blocking, c.parts);
    sgemm_share(k, dw_split, gemm_share(dw_split, in, out, k.blocking, c), true, false, in, out,
                batch, x, in, layer.deltas, out, 0.0f, layer.weight_gradients, out, workspace);
    if (net.bias) {
      // By columns, 16 at a time (column_sums' block): each column summed in its one order.
      const index_range cols = share_of(out, 16, c);
      column_sums(layer.deltas + cols.first, batch, cols.size(), out,
                  layer.bias_gradients + cols.first);
    }
    if (l == 0) break;  // no gradient with respect to the inputs is needed
    // delta_prev = (delta W^T) * f'(A_prev): W is stored inputs x outputs, i.e. n x k for op(B).
    layer_state& previous = net.layers[l - 1];
    const gemm_split dx_split = choose_split(batch, in, k.blocking, c.parts);
    const index_range dx_share = gemm_share(dx_split, batch, in, k.blocking, c);
    sgemm_share(k, dx_split, dx_share, false, true, batch, in, out, layer.deltas, out,
                layer.weights, out, 0.0f, previous.deltas, in, workspace);
    index_range rows = dx_share;
    if (dx_split == gemm_split::columns) {
      c.sync();
      rows = row_share(batch, k, c);
    }
    apply_activation_derivative(k, previous, rows);
    c.sync();  // the next layer down reads every row of these deltas
  }
  c.sync();  // every gradient is in before anyone steps
}

// What one pass does, for run_pass and every part of it.
struct pass {
  network_state* net = nullptr;
  std::size_t batch = 0;
  const float* inputs = nullptr;   // forward: the caller's inputs, not yet checked
  bool borrow = false;             // forward: see stage_rows
  const float* targets = nullptr;  // backward: checked targets (null: no backward)
  bool forward = false;
  bool step = false;
  float learning_rate = 0.0f;
  // Set by the parts.
  const float* staged = nullptr;      // forward: where the staged inputs are (run_pass sets it)
  bool finite[nn::max_threads] = {};  // forward: each part's rows of inputs were finite
  double loss_sum = 0.0;              // backward: the loss's sum over the batch, from part 0
};

// Checks rows [first, last) of the inputs and stages them where backward can find them:
// standardized or copied into the arena, or, when `borrow` and no standardization is set, used in
// place (train_batch: the caller's span outlives the whole call, and the step retires it before
// anyone could read it). Whether they were all finite.
bool stage_rows(network_state& net, const float* inputs, index_range rows, bool borrow) noexcept {
  const std::size_t width = net.widths[0], offset = rows.first * width;
  if (net.standardize) {
    return standardize_checked(inputs + offset, net.input_mean, net.input_stddev,
                               net.input_copy + offset, rows.size(), width);
  }
  if (borrow) return net.kernels->all_finite(inputs + offset, rows.size() * width);
  return copy_checked(inputs + offset, net.input_copy + offset, rows.size() * width);
}

void run_pass_part(pass& work, const crew& c) noexcept {
  network_state& net = *work.net;
  if (work.forward) {
    // Every part checks its rows, then every part reads every verdict: all go on or all stop,
    // before anything but the staging copy has changed.
    work.finite[c.part] =
        stage_rows(net, work.inputs, row_share(work.batch, *net.kernels, c), work.borrow);
    c.sync();
    for (std::size_t p = 0; p < c.parts; ++p) {
      if (!work.finite[p]) return;
    }
    run_forward(net, work.staged, work.batch, c);
  }
  if (work.targets != nullptr) {
    // The loss's sum in its one order, on part 0; the others wait for the output deltas.
    if (c.part == 0) {
      layer_state& last = net.layers[net.layer_count - 1];
      // dL/dZ, through the output activation's derivative.
      work.loss_sum = output_loss(net, work.targets, net.saved_batch, last.deltas);
    }
    c.sync();
    run_backward(net, c);
  }
  if (work.step) {
    // Ranges of whole cache lines, so no two parts write one line.
    step_range(net, work.learning_rate, net.optimizer_steps + 1,
               share_of(net.parameter_region_floats, 16, c));
  }
}

void run_pass_part(void* context, std::size_t part) noexcept {
  auto& work = *static_cast<pass*>(context);
  run_pass_part(work, crew{work.net->team, part, work.net->team->parts()});
}

// Below this many multiply-adds in a pass, waking a worker costs more than it saves.
constexpr double kTeamMinimumWork = double(1u << 20);

// Runs `work` on the network's team when it has one and the pass is large enough, else on the
// calling thread; then updates what the pass made valid. False when the inputs were not all
// finite: nothing but the saved state changed then, and that is forgotten.
bool run_pass(pass& work) noexcept {
  network_state& net = *work.net;
  if (work.forward) {
    work.staged = net.standardize || !work.borrow ? net.input_copy : work.inputs;
    net.saved_inputs = work.staged;
    net.saved_batch = work.batch;
  }
  double macs_per_row = 0.0;
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    macs_per_row += double(net.layers[l].inputs) * double(net.layers[l].outputs);
  }
  const std::size_t batch = work.forward ? work.batch : net.saved_batch;
  std::size_t parts = 1;
  if (net.team != nullptr && macs_per_row * double(batch) >= kTeamMinimumWork) {
    parts = net.team->parts();
    net.team->run(run_pass_part, &work);
  } else {
    run_pass_part(work, crew{});
  }
  if (work.forward) {
    for (std::size_t p = 0; p < parts; ++p) {
      if (!work.finite[p]) {
        // Part of the saved state may be overwritten: forget it rather than risk mixing batches.
        net.saved_batch = 0;
        net.activations_current = false;
        net.gradients_ready = false;
        return false;
      }
    }
    net.activations_current = true;
    net.gradients_ready = false;
  }
  if (work.targets != nullptr) net.gradients_ready = true;
  if (work.step) {
    ++net.optimizer_steps;
    net.gradients_ready = false;
    // The saved activations were computed with the old weights: differentiating them again
    // would mix two parameter sets. Their outputs stay valid for loss().
    net.activations_current = false;
  }
  return true;
}

status check_batch(const network_state* net, std::size_t batch) noexcept {
  if (net == nullptr) return status::empty_network;
  if (batch == 0) return status::empty_batch;
  if (batch > net->max_batch) return status::batch_too_large;
  return status::ok;
}

}  // namespace

const char* loss_name(loss_function f) noexcept {
  switch (f) {
    case loss_function::squared_error:
      return "squared_error";
    case loss_function::binary_cross_entropy:
      return "binary_cross_entropy";
    case loss_function::softmax_cross_entropy:
      return "softmax_cross_entropy";
  }
  return "unknown";
}

const char* optimizer_name(optimizer_kind k) noexcept {
  switch (k) {
    case optimizer_kind::sgd:
      return "sgd";
    case optimizer_kind::momentum:
      return "momentum";
    case optimizer_kind::adam:
      return "adam";
    case optimizer_kind::adamw:
      return "adamw";
    case optimizer_kind::rprop:
      return "rprop";
  }
  return "unknown";
}

std::size_t network::arena_bytes() const noexcept {
  return impl_ ? impl_->arena_bytes : 0;
}
std::size_t network::layer_count() const noexcept {
  return impl_ ? impl_->layer_count : 0;
}
std::span<const std::size_t> network::widths() const noexcept {
  if (impl_ == nullptr) return {};
  return {impl_->widths, impl_->width_count};
}
std::size_t network::input_width() const noexcept {
  return impl_ ? impl_->widths[0] : 0;
}
std::size_t network::output_width() const noexcept {
  return impl_ ? impl_->widths[impl_->width_count - 1] : 0;
}
std::size_t network::max_batch() const noexcept {
  return impl_ ? impl_->max_batch : 0;
}
bool network::has_bias() const noexcept {
  return impl_ != nullptr && impl_->bias;
}
activation network::layer_activation(std::size_t layer) const noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count) return activation::sigmoid;
  return impl_->layers[layer].act;
}
std::size_t network::parameter_count() const noexcept {
  return impl_ ? impl_->parameter_count : 0;
}

isa network::kernels() const noexcept {
  return impl_ ? impl_->kernels->id : active_isa();
}
std::size_t network::threads() const noexcept {
  if (impl_ == nullptr || impl_->team == nullptr) return 1;
  return impl_->team->parts();
}

std::span<float> network::weights(std::size_t layer) noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count) return {};
  const layer_state& l = impl_->layers[layer];
  return {l.weights, l.inputs * l.outputs};
}
std::span<const float> network::weights(std::size_t layer) const noexcept {
  return const_cast<network*>(this)->weights(layer);
}
std::span<float> network::biases(std::size_t layer) noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count || !impl_->bias) return {};
  const layer_state& l = impl_->layers[layer];
  return {l.biases, l.outputs};
}
std::span<const float> network::biases(std::size_t layer) const noexcept {
  return const_cast<network*>(this)->biases(layer);
}
std::span<const float> network::weight_gradients(std::size_t layer) const noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count) return {};
  const layer_state& l = impl_->layers[layer];
  return {l.weight_gradients, l.inputs * l.outputs};
}
std::span<const float> network::bias_gradients(std::size_t layer) const noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count || !impl_->bias) return {};
  const layer_state& l = impl_->layers[layer];
  return {l.bias_gradients, l.outputs};
}

void network::set_input_standardization(std::span<const float> mean,
                                        std::span<const float> stddev) {
  if (impl_ == nullptr) fail("set_input_standardization: the network is empty (moved from)");
  const std::size_t width = impl_->widths[0];
  if (mean.size() != width || stddev.size() != width) {
    fail("set_input_standardization: mean and stddev need " + std::to_string(width) +
         " values each, got " + std::to_string(mean.size()) + " and " +
         std::to_string(stddev.size()));
  }
  for (std::size_t j = 0; j < width; ++j) {
    if (!std::isfinite(mean[j]) || !std::isfinite(stddev[j]) || !(stddev[j] > 0.0f)) {
      fail("set_input_standardization: feature " + std::to_string(j) +
           ": mean and stddev must be finite and stddev > 0");
    }
  }
  std::copy(mean.begin(), mean.end(), impl_->input_mean);
  std::copy(stddev.begin(), stddev.end(), impl_->input_stddev);
  impl_->standardize = true;
}

void network::clear_input_standardization() noexcept {
  if (impl_ != nullptr) impl_->standardize = false;
}
bool network::has_input_standardization() const noexcept {
  return impl_ != nullptr && impl_->standardize;
}
std::span<const float> network::input_mean() const noexcept {
  if (!has_input_standardization()) return {};
  return {impl_->input_mean, impl_->widths[0]};
}
std::span<const float> network::input_stddev() const noexcept {
  if (!has_input_standardization()) return {};
  return {impl_->input_stddev, impl_->widths[0]};
}

result<std::span<const float>> network::forward(std::span<const float> inputs,
                                                std::size_t batch) noexcept {
  if (const status s = check_batch(impl_, batch); s != status::ok) return {s, {}};
  network_state& net = *impl_;
  if (inputs.size() != batch * net.widths[0]) return {status::size_mismatch, {}};
  pass work;
  work.net = &net;
  work.batch = batch;
  work.inputs = inputs.data();
  work.forward = true;
  if (!run_pass(work)) return {status::non_finite_input, {}};
  const layer_state& last = net.layers[net.layer_count - 1];
  return {status::ok, {last.activations, batch * last.outputs}};
}

result<float> network::loss(std::span<const float> targets) const noexcept {
  if (impl_ == nullptr) return {status::empty_network, 0.0f};
  const network_state& net = *impl_;
  if (net.saved_batch == 0) return {status::no_forward_pass, 0.0f};
  const layer_state& last = net.layers[net.layer_count - 1];
  const std::size_t count = net.saved_batch * last.outputs;
  if (targets.size() != count) return {status::size_mismatch, 0.0f};
  if (!all_finite(targets.data(), count)) return {status::non_finite_input, 0.0f};
  const double sum = output_loss(net, targets.data(), net.saved_batch, nullptr);
  return {status::ok, reduce_loss(net, sum, net.saved_batch)};
}

status network::backward(std::span<const float> targets) noexcept {
  if (impl_ == nullptr) return status::empty_network;
  network_state& net = *impl_;
  if (net.saved_batch == 0 || !net.activations_current) return status::no_forward_pass;
  layer_state& last = net.layers[net.layer_count - 1];
  const std::size_t count = net.saved_batch * last.outputs;
  if (targets.size() != count) return status::size_mismatch;
  if (!all_finite(targets.data(), count)) return status::non_finite_input;
  net.gradients_ready = false;
  pass work;
  work.net = &net;
  work.targets = targets.data();
  static_cast<void>(run_pass(work));  // no inputs to check: cannot fail
  return status::ok;
}

status network::step() noexcept {
  if (impl_ == nullptr) return status::empty_network;
  return step(impl_->optimizer.learning_rate);
}

status network::step(float learning_rate) noexcept {
  if (impl_ == nullptr) return status::empty_network;
  if (!impl_->gradients_ready) return status::no_backward_pass;
  if (!std::isfinite(learning_rate)) return status::non_finite_input;
  pass work;
  work.net = impl_;
  work.step = true;
  work.learning_rate = learning_rate;
  static_cast<void>(run_pass(work));  // no inputs to check: cannot fail
  return status::ok;
}

result<float> network::train_batch(std::span<const float> inputs, std::span<const float> targets,
                                   std::size_t batch) noexcept {
  if (impl_ == nullptr) return {status::empty_network, 0.0f};
  return train_batch(inputs, targets, batch, impl_->optimizer.learning_rate);
}

result<float> network::train_batch(std::span<const float> inputs, std::span<const float> targets,
                                   std::size_t batch, float learning_rate) noexcept {
  if (const status s = check_batch(impl_, batch); s != status::ok) return {s, 0.0f};
  network_state& net = *impl_;
  layer_state& last = net.layers[net.layer_count - 1];
  const std::size_t output_count = batch * last.outputs;
  // Every argument is checked before anything changes, so a rejected call leaves no trace.
  if (inputs.size() != batch * net.widths[0] || targets.size() != output_count) {
    return {status::size_mismatch, 0.0f};
  }
  if (!std::isfinite(learning_rate) || !net.kernels->all_finite(targets.data(), output_count)) {
    return {status::non_finite_input, 0.0f};
  }
  // Staging, forward, loss, backward and step in one pass: with a team, one wake-up for all.
  pass work;
  work.net = &net;
  work.batch = batch;
  work.inputs = inputs.data();
  work.borrow = true;
  work.forward = true;
  work.targets = targets.data();
  work.step = true;
  work.learning_rate = learning_rate;
  if (!run_pass(work)) return {status::non_finite_input, 0.0f};
  return {status::ok, reduce_loss(net, work.loss_sum, batch)};
}

std::span<const float> network::outputs() const noexcept {
  if (impl_ == nullptr || impl_->saved_batch == 0) return {};
  const layer_state& last = impl_->layers[impl_->layer_count - 1];
  return {last.activations, impl_->saved_batch * last.outputs};
}

float network::layer_activation_parameter(std::size_t layer) const noexcept {
  if (impl_ == nullptr || layer >= impl_->layer_count) return 0.0f;
  return impl_->layers[layer].activation_parameter;
}
loss_function network::loss_kind() const noexcept {
  return impl_ ? impl_->loss : loss_function::squared_error;
}
loss_reduction network::reduction() const noexcept {
  return impl_ ? impl_->reduction : loss_reduction::mean;
}
const optimizer_options& network::optimizer() const noexcept {
  static const optimizer_options defaults{};
  return impl_ ? impl_->optimizer : defaults;
}
std::uint64_t network::optimizer_steps() const noexcept {
  return impl_ ? impl_->optimizer_steps : 0;
}
void network::reset_optimizer() noexcept {
  if (impl_ != nullptr) nn::reset_optimizer_state(*impl_);
}

}  // namespace simdnn
