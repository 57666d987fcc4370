// lib/nn/network_state.hpp — what a simdnn::network holds, shared by its two source files.
//
// network_plan.cpp validates the options, walks the arena to measure and carve it, sizes the
// GEMM workspace and initializes the weights; network_run.cpp runs what that built (forward,
// loss, backward, step, train_batch) and answers the accessors. Both see the arena through the
// structs below, so they are defined once, here.
#pragma once

#include <cstddef>
#include <string>

#include "common/work_team.hpp"
#include "kernels/table.hpp"
#include "nn/activations.hpp"
#include "nn/arena.hpp"
#include "simdnn/network.hpp"

namespace simdnn {
namespace nn {

// One layer's views into the arena. Z = X W + b (inputs x outputs weights), A = f(Z).
struct layer_state {
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  activation act = activation::sigmoid;
  float activation_parameter = 0.0f;  // leaky_relu's slope; 0 for the others
  const activation_descriptor* descriptor = nullptr;
  float* weights = nullptr;           // inputs x outputs, row-major
  float* biases = nullptr;            // outputs (none when bias is off)
  float* weight_gradients = nullptr;  // same shape as weights
  float* bias_gradients = nullptr;
  // max_batch x outputs; the same block as activations unless Z is needed after the activation
  // ran (keeps_pre_activations in network_plan.cpp: the cross-entropies' logits).
  float* pre_activations = nullptr;
  float* activations = nullptr;  // max_batch x outputs
  float* deltas = nullptr;       // max_batch x outputs: dL/dZ
};

// Everything a network holds, at the start of its arena. network::impl (private to the class) is
// this struct under another name, so the helpers in both files can be free functions. Its
// arena_record base says whether the arena is a heap block to free, and its size.
struct network_state : arena_record {
  const kernels::kernel_table* kernels = nullptr;

  std::size_t* widths = nullptr;
  std::size_t width_count = 0;
  layer_state* layers = nullptr;
  std::size_t layer_count = 0;
  std::size_t max_batch = 0;
  std::size_t parameter_count = 0;
  bool bias = true;
  loss_reduction reduction = loss_reduction::mean;
  loss_function loss = loss_function::squared_error;
  optimizer_options optimizer;

  // Weights and biases of every layer, then their gradients in an identical block sequence:
  // step() is one loop over `parameter_region_floats`. Block padding is zero in both regions.
  float* parameters = nullptr;
  float* gradients = nullptr;
  std::size_t parameter_region_floats = 0;
  // Optimizer state: optimizer_state_regions runs of parameter_region_floats floats laid out
  // like the parameters (momentum: velocity; adam: first and second moments; rprop: previous
  // gradient and step size). SGD needs none.
  float* optimizer_state = nullptr;
  std::size_t optimizer_state_regions = 0;
  std::uint64_t optimizer_steps = 0;

  float* input_mean = nullptr;    // input width
  float* input_stddev = nullptr;  // input width
  bool standardize = false;
  float* input_copy = nullptr;  // max_batch x input width: forward's (standardized) inputs
  // GEMM packing workspace: one run of workspace_floats per thread (part p's at p times that).
  float* workspace = nullptr;
  std::size_t workspace_floats = 0;

  // The worker threads of a network built with threads > 1 (general path only), else null. The
  // one heap object outside the arena: std::thread needs the heap to start. Freed by
  // release_network, which network's destructor and move assignment call.
  detail::work_team* team = nullptr;

  // Small networks (every width <= 16) train through the fused row-block kernels
  // (lib/kernels/row_block.hpp): hidden layers' activations and deltas are then in 16-row blocks,
  // and these hold the inputs and the output layer's deltas in blocks.
  bool row_blocked = false;
  float* input_blocks = nullptr;
  float* output_delta_blocks = nullptr;

  // What backward may rely on. saved_batch > 0: the last forward's outputs are valid (loss);
  // activations_current: they were computed with the current weights from `saved_inputs`, which
  // are still readable (backward). gradients_ready: backward ran since the last forward/step.
  const float* saved_inputs = nullptr;
  std::size_t saved_batch = 0;
  bool activations_current = false;
  bool gradients_ready = false;
};

// Sets the optimizer's state to its start (zero moments; RPROP steps at s_0) and the step count
// to 0. Defined in optimizers.cpp, with the updates.
void reset_optimizer_state(network_state& net) noexcept;

// The most threads a network may run on (network_options::threads), as for set_sgemm_threads.
inline constexpr std::size_t max_threads = 64;

// Stops the workers (if any) and frees the arena (if owned); leaves `self` null.
template <class Impl>
void release_network(Impl*& self) noexcept {
  if (self == nullptr) return;
  delete self->team;
  self->team = nullptr;
  release_arena(self);
}

// Who the arena code names in its messages, and where a caller learns the bytes to lend.
inline constexpr arena_client network_arena{"network", "arena_bytes"};

// std::invalid_argument("simdnn::network: <what>"), for construction and setup errors.
[[noreturn]] inline void fail(const std::string& what) {
  throw_invalid_argument(network_arena.name, what);
}

}  // namespace nn

struct network::impl : nn::network_state {};

}  // namespace simdnn
