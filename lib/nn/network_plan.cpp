// lib/nn/network_plan.cpp — planning a simdnn::network: every byte decided at construction.
//
// Every number the network touches lives in one arena laid out by walk_arena(); the walk runs
// once to measure and once to carve (lib/nn/arena.hpp), after the widths and options have been
// validated. The arena also holds the GEMM packing workspace, sized here for every ISA the
// machine can run, and the weights, initialized here from the seed. All of it runs at
// construction and may throw; running what it builds, allocation-free, is network_run.cpp's job.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "kernels/table.hpp"
#include "nn/arena.hpp"
#include "nn/network_state.hpp"
#include "simdnn/network.hpp"
#include "simdnn/random.hpp"

namespace simdnn {

namespace {

using nn::fail;
using nn::layer_state;
using nn::network_arena;
using nn::network_state;

// Whether the losses read the output layer's logits Z: the cross-entropies compute their loss
// from Z (a log-sum-exp that never overflows), so Z must survive the activation.
constexpr bool loss_needs_logits(loss_function loss) noexcept {
  return loss != loss_function::squared_error;
}

// Whether layer `l` keeps Z in its own block (else Z is computed in A's storage and the Z block
// is planned with zero size): when the activation's derivative needs Z, or the loss needs the
// output layer's logits.
bool keeps_pre_activations(const network_options& options, activation act, bool last) noexcept {
  return !nn::describe(act).derivative_from_output || (last && loss_needs_logits(options.loss));
}

// Whether the network trains through the fused row-block kernels (lib/kernels/row_block.hpp):
// every layer at most kRowBlockMaxWidth wide, at most kRowBlockMaxLayers layers. A rule on the
// shape alone, the same on every ISA, since it decides the order of the gradients' sums.
bool uses_row_blocks(std::span<const std::size_t> widths) noexcept {
  if (widths.size() - 1 > kernels::kRowBlockMaxLayers) return false;
  return std::all_of(widths.begin(), widths.end(),
                     [](std::size_t w) { return w <= kernels::kRowBlockMaxWidth; });
}

// Floats of optimizer state per parameter float (lib/nn/network_state.hpp).
constexpr std::size_t optimizer_state_regions(optimizer_kind kind) noexcept {
  switch (kind) {
    case optimizer_kind::sgd:
      return 0;
    case optimizer_kind::momentum:
      return 1;
    case optimizer_kind::adam:
    case optimizer_kind::adamw:
    case optimizer_kind::rprop:
      return 2;
  }
  return 0;
}

// Largest packing workspace any GEMM of forward or backward needs, at any batch up to max_batch,
// on any ISA this machine can run (not only the active one, so the arena's size does not depend
// on SIMDNN_ISA). The workspace of the kernels grows with each extent, so max_batch bounds every
// smaller batch (tests/nn/network_test.cpp checks that for the shapes a network issues).
std::size_t workspace_floats(std::span<const std::size_t> widths, std::size_t max_batch) noexcept {
  std::size_t most = 0;
  const auto consider = [&](const kernels::kernel_table& table) {
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      const std::size_t in = widths[l], out = widths[l + 1];
      const kernels::gemm_blocking& blocking = table.blocking;
      most = std::max(most, kernels::sgemm_workspace_floats(blocking, max_batch, out, in));  // Z
      most = std::max(most, kernels::sgemm_workspace_floats(blocking, in, out, max_batch));  // dW
      most = std::max(most, kernels::sgemm_workspace_floats(blocking, max_batch, in, out));  // dX
    }
  };
  for (isa which : supported_isas()) {
    if (const kernels::kernel_table* table = kernels::kernels_for(which)) consider(*table);
  }
  consider(kernels::best_kernels());
  return most;
}

// The one walk over the arena, in its fixed order. Measuring (the cursor has no base) it only
// sizes the blocks and returns nullptr; carving it returns the impl, constructed at the arena's
// start with every view set. Throws std::invalid_argument on sizes that overflow (measuring).
template <class Impl>
Impl* walk_arena(std::span<const std::size_t> widths, const network_options& options,
                 std::size_t workspace_floats, nn::arena_cursor& cursor) {
  static_assert(std::is_base_of_v<network_state, Impl>);
  const std::size_t layer_count = widths.size() - 1;
  const std::size_t max_batch = options.max_batch;

  Impl* self = cursor.take<Impl>(1);
  std::size_t* width_copy = cursor.take<std::size_t>(widths.size());
  layer_state* layers = cursor.take<layer_state>(layer_count);
  // Measuring, there is nowhere to record views yet: they go to scratch objects and are dropped.
  // So every size below comes from `widths` and `options`, never read back from a view.
  network_state scratch_impl;
  layer_state scratch_layer;
  network_state& net = cursor.carving() ? *self : scratch_impl;
  const auto layer = [&](std::size_t l) -> layer_state& {
    return cursor.carving() ? layers[l] : scratch_layer;
  };
  const auto activation_of = [&](std::size_t l) {
    return options.activations.empty() ? activation::sigmoid : options.activations[l];
  };
  const auto parameter_of = [&](std::size_t l) {
    return nn::parameter_or_default(activation_of(l), options.activation_parameters.empty()
                                                          ? nullptr
                                                          : &options.activation_parameters[l]);
  };

  net.widths = width_copy;
  net.width_count = widths.size();
  net.layers = layers;
  net.layer_count = layer_count;
  net.max_batch = max_batch;
  net.bias = options.bias;
  net.reduction = options.reduction;
  net.loss = options.loss;
  net.optimizer = options.optimizer;
  net.optimizer_steps = 0;
  net.parameter_count = 0;
  for (std::size_t l = 0; l < layer_count; ++l) {
    layer_state& state = layer(l);
    state.inputs = widths[l];
    state.outputs = widths[l + 1];
    state.act = activation_of(l);
    state.activation_parameter = parameter_of(l);
    state.descriptor = &nn::describe(state.act);
    const std::size_t weight_count = cursor.checked_multiply(widths[l], widths[l + 1], "weights");
    net.parameter_count += weight_count + (options.bias ? widths[l + 1] : 0);
  }
  if (cursor.carving()) std::copy(widths.begin(), widths.end(), width_copy);

  // Parameters, then gradients. Each block is a whole number of cache lines so the regions are
  // contiguous runs of (zeroed) floats with no unowned bytes between blocks.
  net.parameter_region_floats = 0;
  for (bool gradients : {false, true}) {
    for (std::size_t l = 0; l < layer_count; ++l) {
      layer_state& state = layer(l);
      // The product was checked above.
      const std::size_t weight_floats = cursor.round_up_to_lines<float>(widths[l] * widths[l + 1]);
      const std::size_t bias_floats =
          cursor.round_up_to_lines<float>(options.bias ? widths[l + 1] : 0);
      float* w = cursor.take<float>(weight_floats);
      float* b = cursor.take<float>(bias_floats);
      (gradients ? state.weight_gradients : state.weights) = w;
      (gradients ? state.bias_gradients : state.biases) = options.bias ? b : nullptr;
      if (l == 0) (gradients ? net.gradients : net.parameters) = w;
      if (!gradients) net.parameter_region_floats += weight_floats + bias_floats;
    }
  }

  net.optimizer_state_regions = optimizer_state_regions(options.optimizer.kind);
  net.optimizer_state = cursor.take<float>(
      cursor.checked_multiply(net.optimizer_state_regions, net.parameter_region_floats, "state"));

  const std::size_t input_width = widths.front();
  net.input_mean = cursor.take<float>(input_width);
  net.input_stddev = cursor.take<float>(input_width);
  net.input_copy = cursor.take<float>(cursor.checked_multiply(max_batch, input_width, "inputs"));

  // The row-block kernels keep every layer's values in whole 16-row blocks, the last one padded.
  net.row_blocked = uses_row_blocks(widths);
  const std::size_t value_rows =
      net.row_blocked
          ? cursor.checked_multiply(kernels::row_blocks(max_batch), kernels::kRowBlock, "a batch")
          : max_batch;
  net.input_blocks = cursor.take<float>(
      net.row_blocked ? cursor.checked_multiply(value_rows, input_width, "inputs") : 0);
  net.output_delta_blocks = cursor.take<float>(
      net.row_blocked ? cursor.checked_multiply(value_rows, widths.back(), "deltas") : 0);

  for (std::size_t l = 0; l < layer_count; ++l) {
    layer_state& state = layer(l);
    const std::size_t rows = cursor.checked_multiply(value_rows, widths[l + 1], "activations");
    const bool keep_z = keeps_pre_activations(options, activation_of(l), l + 1 == layer_count);
    state.activations = cursor.take<float>(rows);
    float* z = cursor.take<float>(keep_z ? rows : 0);
    state.pre_activations = keep_z ? z : state.activations;
    state.deltas = cursor.take<float>(rows);
  }

  // One packing workspace per thread that may run a part of a GEMM (only the general path
  // splits), each a whole number of cache lines so no two threads' blocks share a line.
  const std::size_t workspace_parts = net.row_blocked ? 1 : options.threads;
  net.workspace_floats = cursor.round_up_to_lines<float>(workspace_floats);
  net.workspace = cursor.take<float>(
      cursor.checked_multiply(net.workspace_floats, workspace_parts, "the GEMM workspaces"));
  return cursor.carving() ? self : nullptr;
}

// The loss must be one of the enum's and fit the output layer (simdnn/network.hpp, "Losses").
void validate_loss(const network_options& options, std::size_t layers) {
  const activation output =
      options.activations.empty() ? activation::sigmoid : options.activations[layers - 1];
  switch (options.loss) {
    case loss_function::squared_error:
      return;
    case loss_function::binary_cross_entropy:
      if (output != activation::sigmoid && output != activation::sigmoid_fast) {
        fail(std::string("binary_cross_entropy needs a sigmoid output layer, not ") +
             activation_name(output));
      }
      return;
    case loss_function::softmax_cross_entropy:
      if (output != activation::softmax) {
        fail(std::string("softmax_cross_entropy needs a softmax output layer, not ") +
             activation_name(output));
      }
      return;
  }
  fail("loss is not a simdnn::loss_function value");
}

void validate_optimizer(const optimizer_options& o) {
  const auto check = [](bool ok, const char* what, float value) {
    if (!ok) fail(std::string("optimizer: ") + what + ", got " + std::to_string(value));
  };
  const auto finite = [](float v) { return std::isfinite(v); };
  switch (o.kind) {
    case optimizer_kind::sgd:
    case optimizer_kind::momentum:
    case optimizer_kind::adam:
    case optimizer_kind::adamw:
    case optimizer_kind::rprop:
      break;
    default:
      fail("optimizer: kind is not a simdnn::optimizer_kind value");
  }
  check(finite(o.learning_rate) && o.learning_rate >= 0.0f, "learning_rate must be finite and >= 0",
        o.learning_rate);
  check(finite(o.weight_decay) && o.weight_decay >= 0.0f, "weight_decay must be finite and >= 0",
        o.weight_decay);
  check(finite(o.momentum) && o.momentum >= 0.0f && o.momentum < 1.0f, "momentum must be in [0, 1)",
        o.momentum);
  check(finite(o.beta1) && o.beta1 >= 0.0f && o.beta1 < 1.0f, "beta1 must be in [0, 1)", o.beta1);
  check(finite(o.beta2) && o.beta2 >= 0.0f && o.beta2 < 1.0f, "beta2 must be in [0, 1)", o.beta2);
  check(finite(o.epsilon) && o.epsilon > 0.0f, "epsilon must be finite and > 0", o.epsilon);
  check(finite(o.rprop_increase) && o.rprop_increase > 1.0f, "rprop_increase must be > 1",
        o.rprop_increase);
  check(finite(o.rprop_decrease) && o.rprop_decrease > 0.0f && o.rprop_decrease < 1.0f,
        "rprop_decrease must be in (0, 1)", o.rprop_decrease);
  check(finite(o.rprop_min_step) && o.rprop_min_step > 0.0f, "rprop_min_step must be > 0",
        o.rprop_min_step);
  check(finite(o.rprop_max_step) && o.rprop_max_step >= o.rprop_min_step,
        "rprop_max_step must be finite and >= rprop_min_step", o.rprop_max_step);
  check(finite(o.rprop_initial_step) && o.rprop_initial_step >= o.rprop_min_step &&
            o.rprop_initial_step <= o.rprop_max_step,
        "rprop_initial_step must lie in [rprop_min_step, rprop_max_step]", o.rprop_initial_step);
}

void validate(std::span<const std::size_t> widths, const network_options& options) {
  if (widths.size() < 2) {
    fail("needs at least 2 widths (inputs and outputs), got " + std::to_string(widths.size()));
  }
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] == 0) fail("width " + std::to_string(i) + " is 0");
  }
  if (options.max_batch == 0) fail("max_batch is 0");
  if (options.threads == 0 || options.threads > nn::max_threads) {
    fail("threads is " + std::to_string(options.threads) + "; 1 to " +
         std::to_string(nn::max_threads) + " are allowed");
  }
  const std::size_t layers = widths.size() - 1;
  if (!options.activations.empty() && options.activations.size() != layers) {
    fail(std::to_string(options.activations.size()) + " activations given for " +
         std::to_string(layers) + " layers (give one per layer, or none for sigmoid everywhere)");
  }
  for (std::size_t l = 0; l < options.activations.size(); ++l) {
    const activation act = options.activations[l];
    if (!is_activation(act)) {
      fail("activation of layer " + std::to_string(l) + " is not a simdnn::activation value");
    }
    if (activation_output_only(act) && l + 1 != layers) {
      fail(std::string("layer ") + std::to_string(l) + ": " + activation_name(act) +
           " is for the output layer only");
    }
  }
  if (!options.activation_parameters.empty()) {
    if (options.activation_parameters.size() != layers) {
      fail(std::to_string(options.activation_parameters.size()) +
           " activation parameters given for " + std::to_string(layers) +
           " layers (give one per layer, or none for the defaults)");
    }
    for (std::size_t l = 0; l < layers; ++l) {
      const activation act =
          options.activations.empty() ? activation::sigmoid : options.activations[l];
      const std::string_view problem =
          activation_parameter_problem(act, options.activation_parameters[l]);
      if (!problem.empty()) {
        fail("activation parameter of layer " + std::to_string(l) + " (" + activation_name(act) +
             "): " + std::string(problem) + ", got " +
             std::to_string(options.activation_parameters[l]));
      }
    }
  }
  validate_loss(options, layers);
  validate_optimizer(options.optimizer);
  if (options.init != weight_init::xavier_uniform && options.init != weight_init::uniform_pm1) {
    fail("init is not a simdnn::weight_init value");
  }
  if (options.reduction != loss_reduction::mean && options.reduction != loss_reduction::sum) {
    fail("reduction is not a simdnn::loss_reduction value");
  }
  if (!isa_supported(options.kernels)) {
    fail(std::string("kernels: ") + isa_name(options.kernels) +
         " is not supported on this CPU/OS (supported: see simdnn::supported_isas())");
  }
}

// Bytes of the arena proper (from an aligned base), validating first.
template <class Impl>
std::size_t measure(std::span<const std::size_t> widths, const network_options& options) {
  validate(widths, options);
  nn::arena_cursor cursor(network_arena);
  // workspace_floats runs before the walk checks its products: reject overflowing extents first.
  for (std::size_t width : widths) cursor.checked_multiply(options.max_batch, width, "a batch");
  walk_arena<Impl>(widths, options, workspace_floats(widths, options.max_batch), cursor);
  return cursor.bytes();
}

// The weights in order layer by layer, row-major, from one splitmix64 stream; biases stay zero.
void initialize_weights(network_state& net, const network_options& options) noexcept {
  splitmix64 rng(options.seed);
  for (std::size_t l = 0; l < net.layer_count; ++l) {
    layer_state& layer = net.layers[l];
    // IEEE division and square root are correctly rounded, so the radius is the same everywhere.
    const double radius = options.init == weight_init::xavier_uniform
                              ? std::sqrt(6.0 / static_cast<double>(layer.inputs + layer.outputs))
                              : 1.0;
    const std::size_t count = layer.inputs * layer.outputs;
    for (std::size_t i = 0; i < count; ++i) {
      layer.weights[i] = static_cast<float>(radius * rng.uniform_pm1());
    }
  }
}

// Carves the arena at `aligned_base` (measured already) and fills it: views, kernels, weights.
// noexcept although the walk can throw: the same walk already measured these sizes without
// overflow (measure), and a second walk with the same inputs takes the same path.
template <class Impl>
// NOLINTNEXTLINE(bugprone-exception-escape)
Impl* build(std::span<const std::size_t> widths, const network_options& options,
            std::byte* aligned_base) noexcept {
  nn::arena_cursor cursor(network_arena, aligned_base);
  // Cannot throw: the same walk already measured these sizes without overflow.
  Impl* net =
      walk_arena<Impl>(widths, options, workspace_floats(widths, options.max_batch), cursor);
  // Supported: validate() checked it before anything was measured.
  net->kernels = kernels::kernels_for(options.kernels);
  initialize_weights(*net, options);
  nn::reset_optimizer_state(*net);
  return net;
}

// Starts the worker threads of a network built with threads > 1 on the general path (the
// row-block path of a small network runs on one thread). On failure the arena is released before
// the exception leaves the constructor, which then has no destructor to do it.
template <class Impl>
void start_workers(Impl*& self, const network_options& options) {
  if (options.threads <= 1 || self->row_blocked) return;
  try {
    self->team = new detail::work_team(options.threads - 1);
  } catch (...) {
    nn::release_network(self);
    throw;
  }
}

}  // namespace

network::network(std::span<const std::size_t> widths, const network_options& options)
    : impl_(nn::build_in_owned_arena<impl>(arena_bytes(widths, options), [&](std::byte* base) {
        return build<impl>(widths, options, base);
      })) {
  start_workers(impl_, options);
}

network::network(std::span<const std::size_t> widths, const network_options& options,
                 std::span<std::byte> memory)
    : impl_(nn::build_in_caller_arena<impl>(
          memory, arena_bytes(widths, options), network_arena,
          [&](std::byte* base) { return build<impl>(widths, options, base); })) {
  start_workers(impl_, options);
}

network::network(network&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}

network& network::operator=(network&& other) noexcept {
  if (this != &other) {
    nn::release_network(impl_);
    impl_ = std::exchange(other.impl_, nullptr);
  }
  return *this;
}

network::~network() {
  nn::release_network(impl_);
}

std::size_t network::arena_bytes(std::span<const std::size_t> widths,
                                 const network_options& options) {
  return nn::with_alignment_slack(measure<impl>(widths, options), network_arena);
}

}  // namespace simdnn
