// simdnn/predictor.hpp — inference for embedding: a loaded model, read-only, fast, predictable.
//
// Lifecycle (create -> size -> run, as in XNNPACK):
//   simdnn::model m = simdnn::load_model("iris.simdnn");
//   simdnn::predictor p(m);                                  // or p(m, caller_memory)
//   std::vector<std::byte> workspace(p.workspace_bytes(1));  // one per thread
//   float y[3];
//   if (p.predict(x, y, workspace) != simdnn::status::ok) { ... }
//
// Construction copies the weights into one 64-byte-aligned block, re-laid out for one-sample
// speed: each layer's columns in panels of 16 (one cache line per input row), padded with zeros.
// It may throw (std::invalid_argument, std::bad_alloc); nothing after it does.
//
// predict / predict_batch are noexcept and make no allocation, no lock, no system call; they read
// the predictor and write only `outputs` and the caller's `workspace`.
//
// Thread safety: a predictor is immutable after construction. Any number of threads may call
// predict on the same predictor at once, each with its own workspace; the results are bitwise
// the ones a single thread gets. Sharing one workspace between concurrent calls is a data race.
//
// Results: output[j] = f(b_j + sum_i x_i w_ij) per layer, each dot product accumulated in float
// with fused multiply-adds (multiply and add on SSE2) in a fixed order: four interleaved partial
// sums over i mod 4, the first starting from the bias, combined as (p0 + p1) + (p2 + p3). So a
// sample's outputs are bitwise the same whether it is predicted alone or at any position of any
// batch, from any thread, on a given ISA. They agree with network::forward to rounding (the
// network's GEMM sums in another order). Every activation is the library's own kernel
// (simdnn/activation.hpp), applied in registers right after each layer's dot products; softmax,
// the output layer's only, over each finished output row. Inputs are standardized as (x - mean) /
// stddev, as the network does.
//
// Floating-point environment: predict neither reads nor changes MXCSR. It runs in the caller's
// mode and leaves it as it found it. With the default mode (round to nearest, no FTZ/DAZ) the
// results are the documented ones. A caller that set FTZ/DAZ (common in audio code) gets
// subnormal intermediate values flushed; the sigmoid never returns a subnormal (results below
// FLT_MIN are +0 by contract), so only products of subnormal-sized weights or inputs differ. Why
// not switch modes internally: two LDMXCSR per call cost about as much as a whole small model.
//
// Errors are statuses (simdnn/status.hpp), checked in this order; any of them leaves `outputs`
// untouched: empty_network for a moved-from predictor; empty_batch for batch 0; size_mismatch for
// input or output spans of the wrong size; workspace_too_small for a workspace smaller than
// workspace_bytes(batch); non_finite_input for NaN or infinity in the inputs.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/status.hpp"

namespace simdnn {

class predictor {
 public:
  // Bytes of memory a predictor of `m` needs (includes the slack to align a caller's buffer).
  // The same on every ISA.
  [[nodiscard]] static std::size_t memory_bytes(const model& m);

  // Builds in its own heap block, dispatching to the kernels of `which` (default: the active
  // ISA). Throws std::invalid_argument if that ISA is not supported here.
  explicit predictor(const model& m, isa which = active_isa());
  // Builds in caller memory (e.g. a static buffer): no heap use at all, now or later. `memory`
  // must hold memory_bytes(m) bytes (any alignment) and outlive the predictor; else
  // std::invalid_argument.
  predictor(const model& m, std::span<std::byte> memory, isa which = active_isa());

  predictor(predictor&&) noexcept;
  predictor& operator=(predictor&&) noexcept;
  predictor(const predictor&) = delete;
  predictor& operator=(const predictor&) = delete;
  ~predictor();

  // Workspace bytes one call with `batch` rows needs (any alignment accepted; fewer bytes is
  // workspace_too_small). Bounded: batches run in passes of at most rows_per_pass rows, so a
  // large batch needs no more than that.
  [[nodiscard]] std::size_t workspace_bytes(std::size_t batch = 1) const noexcept;
  static constexpr std::size_t rows_per_pass = 64;

  // One sample: input (input_width) -> output (output_width).
  [[nodiscard]] status predict(std::span<const float> input, std::span<float> output,
                               std::span<std::byte> workspace) const noexcept;
  // `batch` samples, row-major: inputs batch x input_width -> outputs batch x output_width.
  [[nodiscard]] status predict_batch(std::span<const float> inputs, std::size_t batch,
                                     std::span<float> outputs,
                                     std::span<std::byte> workspace) const noexcept;

  [[nodiscard]] std::size_t input_width() const noexcept;
  [[nodiscard]] std::size_t output_width() const noexcept;
  [[nodiscard]] std::size_t layer_count() const noexcept;
  [[nodiscard]] std::size_t memory_bytes() const noexcept;
  [[nodiscard]] isa kernels() const noexcept;  // the ISA it dispatches to
  // The model's class names (empty without them); views into the predictor's memory.
  [[nodiscard]] std::size_t class_count() const noexcept;
  [[nodiscard]] std::string_view class_name(std::size_t index) const noexcept;

 private:
  struct impl;
  // Lives inside its own memory block, like network's.
  impl* impl_ = nullptr;
};

}  // namespace simdnn
