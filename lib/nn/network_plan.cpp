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

// Whether backprop through `act` needs the pre-activation Z, or can take f' from the output A.
// Sigmoid (f' = a(1 - a)) and identity (f' = 1) need only A, so Z is computed in A's storage and
// the Z block is planned with zero size; an activation such as GELU would return true here.
constexpr bool keeps_pre_activations(activation /*act*/) noexcept {
  return false;
}

bool valid_activation(activation act) noexcept {
  return act == activation::sigmoid || act == activation::identity;
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

  net.widths = width_copy;
  net.width_count = widths.size();
  net.layers = layers;
  net.layer_count = layer_count;
  net.max_batch = max_batch;
  net.bias = options.bias;
  net.reduction = options.reduction;
  net.parameter_count = 0;
  for (std::size_t l = 0; l < layer_count; ++l) {
    layer_state& state = layer(l);
    state.inputs = widths[l];
    state.outputs = widths[l + 1];
    state.act = activation_of(l);
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

  net.optimizer_state_floats = 0;  // plain SGD
  net.optimizer_state = cursor.take<float>(net.optimizer_state_floats);

  const std::size_t input_width = widths.front();
  net.input_mean = cursor.take<float>(input_width);
  net.input_stddev = cursor.take<float>(input_width);
  net.input_copy = cursor.take<float>(cursor.checked_multiply(max_batch, input_width, "inputs"));

  for (std::size_t l = 0; l < layer_count; ++l) {
    layer_state& state = layer(l);
    const std::size_t rows = cursor.checked_multiply(max_batch, widths[l + 1], "activations");
    const bool keep_z = keeps_pre_activations(activation_of(l));
    state.activations = cursor.take<float>(rows);
    float* z = cursor.take<float>(keep_z ? rows : 0);
    state.pre_activations = keep_z ? z : state.activations;
    state.deltas = cursor.take<float>(rows);
  }

  net.workspace_floats = workspace_floats;
  net.workspace = cursor.take<float>(workspace_floats);
  return cursor.carving() ? self : nullptr;
}

void validate(std::span<const std::size_t> widths, const network_options& options) {
  if (widths.size() < 2) {
    fail("needs at least 2 widths (inputs and outputs), got " + std::to_string(widths.size()));
  }
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] == 0) fail("width " + std::to_string(i) + " is 0");
  }
  if (options.max_batch == 0) fail("max_batch is 0");
  const std::size_t layers = widths.size() - 1;
  if (!options.activations.empty() && options.activations.size() != layers) {
    fail(std::to_string(options.activations.size()) + " activations given for " +
         std::to_string(layers) + " layers (give one per layer, or none for sigmoid everywhere)");
  }
  for (std::size_t l = 0; l < options.activations.size(); ++l) {
    if (!valid_activation(options.activations[l])) {
      fail("activation of layer " + std::to_string(l) + " is not a simdnn::activation value");
    }
  }
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
  return net;
}

}  // namespace

network::network(std::span<const std::size_t> widths, const network_options& options)
    : impl_(nn::build_in_owned_arena<impl>(arena_bytes(widths, options), [&](std::byte* base) {
        return build<impl>(widths, options, base);
      })) {}

network::network(std::span<const std::size_t> widths, const network_options& options,
                 std::span<std::byte> memory)
    : impl_(nn::build_in_caller_arena<impl>(
          memory, arena_bytes(widths, options), network_arena,
          [&](std::byte* base) { return build<impl>(widths, options, base); })) {}

network::network(network&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}

network& network::operator=(network&& other) noexcept {
  nn::move_arena(impl_, other.impl_);
  return *this;
}

network::~network() {
  nn::release_arena(impl_);
}

std::size_t network::arena_bytes(std::span<const std::size_t> widths,
                                 const network_options& options) {
  return nn::with_alignment_slack(measure<impl>(widths, options), network_arena);
}

}  // namespace simdnn
