// lib/nn/predictor.cpp — simdnn::predictor: a model packed into one aligned block for inference.
//
// Like the network, the block is planned by one walk run twice (lib/nn/arena.hpp): measure, then
// carve; and it is owned the same way (a heap block, or caller memory left alone). It holds the
// impl itself, the layer descriptors, each layer's weight panels and padded biases
// (lib/kernels/dense_layout.hpp), the standardization statistics and the class names. predict
// only checks its arguments and calls the kernel table's dense_forward (or, for one row of a
// model whose widths are all <= 16, dense_forward_narrow_row), resolved once at construction.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "common/finite.hpp"
#include "kernels/dense_layout.hpp"
#include "kernels/table.hpp"
#include "nn/arena.hpp"
#include "simdnn/predictor.hpp"

namespace simdnn {

namespace {

// Everything predict needs, carved from the block itself. predictor::impl derives from it so
// the helpers below can name it (the nested impl is private). Its arena_record base says whether
// the block is a heap block to free, and its size.
struct predictor_state : nn::arena_record {
  kernels::dense_model model{};
  void (*forward)(const kernels::dense_model&, const float*, float*, std::size_t,
                  float*) noexcept = nullptr;
  // One row of a narrow model (every width <= 16) without the workspace; null otherwise.
  void (*forward_row)(const kernels::dense_model&, const float*, float*) noexcept = nullptr;
  isa kernels = isa::sse2;
  std::size_t input_width = 0;
  std::size_t output_width = 0;
  std::size_t class_count = 0;
  const char* name_bytes = nullptr;
  const std::size_t* name_offsets = nullptr;  // class_count + 1 entries
};

}  // namespace

struct predictor::impl : predictor_state {};

namespace {

// Who the arena code names in its messages, and where a caller learns the bytes to lend.
constexpr nn::arena_client predictor_arena{"predictor", "memory_bytes"};

[[noreturn]] void fail(const std::string& what) {
  nn::throw_invalid_argument(predictor_arena.name, what);
}

// The one walk: every block in a fixed order. Measuring (no base) only adds up sizes; carving
// also fills the blocks from the model. Both run the same statements, so they cannot disagree.
template <class Impl>
Impl* walk(const model& m, nn::arena_cursor& cursor) {
  using kernels::dense_layer;
  auto* self = cursor.take<Impl>(1);
  const std::size_t layers = m.layer_count();
  auto* layer_table = cursor.take<dense_layer>(layers);
  std::size_t row_stride = kernels::dense_padded_width(m.input_width());
  for (std::size_t l = 0; l < layers; ++l) {
    const std::size_t inputs = m.widths()[l];
    const std::size_t outputs = m.widths()[l + 1];
    const std::size_t panels = kernels::dense_panel_count(outputs);
    row_stride = std::max(row_stride, kernels::dense_padded_width(outputs));
    float* packed = cursor.take<float>(
        cursor.checked_multiply(panels, inputs * kernels::dense_panel_width, "weight panels"));
    float* biases = cursor.take<float>(kernels::dense_padded_width(outputs));
    if (!cursor.carving()) continue;
    // Blocks arrive zeroed: only real columns are written, the padding stays 0.
    const std::span<const float> w = m.weights(l);
    for (std::size_t i = 0; i < inputs; ++i) {
      for (std::size_t j = 0; j < outputs; ++j) {
        const std::size_t panel = j / kernels::dense_panel_width;
        const std::size_t lane = j % kernels::dense_panel_width;
        packed[(panel * inputs + i) * kernels::dense_panel_width + lane] = w[i * outputs + j];
      }
    }
    const std::span<const float> b = m.biases(l);
    std::copy(b.begin(), b.end(), biases);
    layer_table[l] = dense_layer{
        packed, biases, inputs, outputs, m.layer_activation(l), m.layer_activation_parameter(l)};
  }
  float* mean = nullptr;
  float* stddev = nullptr;
  if (m.has_input_standardization()) {
    mean = cursor.take<float>(m.input_width());
    stddev = cursor.take<float>(m.input_width());
  }
  const std::span<const std::string> names = m.class_names();
  std::size_t name_total = 0;
  for (const std::string& name : names) name_total += name.size();
  auto* name_offsets = cursor.take<std::size_t>(names.empty() ? 0 : names.size() + 1);
  char* name_bytes = cursor.take<char>(name_total);
  if (!cursor.carving()) return nullptr;

  if (mean != nullptr) {
    std::copy(m.input_mean().begin(), m.input_mean().end(), mean);
    std::copy(m.input_stddev().begin(), m.input_stddev().end(), stddev);
  }
  std::size_t offset = 0;
  for (std::size_t c = 0; c < names.size(); ++c) {
    name_offsets[c] = offset;
    std::copy_n(names[c].data(), names[c].size(), name_bytes + offset);  // no NUL: lengths kept
    offset += names[c].size();
  }
  if (!names.empty()) name_offsets[names.size()] = offset;

  self->model = kernels::dense_model{layer_table, layers, mean, stddev, row_stride};
  self->input_width = m.input_width();
  self->output_width = m.output_width();
  self->class_count = names.size();
  self->name_bytes = name_bytes;
  self->name_offsets = name_offsets;
  return self;
}

template <class Impl>
std::size_t measure(const model& m) {
  nn::arena_cursor cursor(predictor_arena);
  walk<Impl>(m, cursor);
  return cursor.bytes();
}

const kernels::kernel_table& table_for(isa which) {
  const kernels::kernel_table* table = kernels::kernels_for(which);
  if (table == nullptr) {
    fail(std::string("ISA ") + isa_name(which) + " is not supported by this build or CPU");
  }
  return *table;
}

// Carves the block at `base` (measured already) and fills it from the model.
template <class Impl>
Impl* build(const model& m, const kernels::kernel_table& table, std::byte* base) {
  nn::arena_cursor cursor(predictor_arena, base);
  Impl* self = walk<Impl>(m, cursor);
  self->forward = table.dense_forward;
  if (kernels::dense_is_narrow(self->model)) self->forward_row = table.dense_forward_narrow_row;
  self->kernels = table.id;
  return self;
}

// The first 64-byte boundary in `workspace`, or null if it is smaller than `floats` plus the
// alignment slack. The slack is required whatever the address, so whether a workspace is big
// enough never depends on where the allocator happened to put it.
float* aligned_workspace(std::span<std::byte> workspace, std::size_t floats) noexcept {
  if (workspace.size() < floats * sizeof(float) + (nn::arena_alignment - 1)) return nullptr;
  return static_cast<float*>(static_cast<void*>(nn::align_up(workspace.data())));
}

using detail::all_finite;

}  // namespace

std::size_t predictor::memory_bytes(const model& m) {
  return nn::with_alignment_slack(measure<impl>(m), predictor_arena);
}

predictor::predictor(const model& m, isa which) {
  const kernels::kernel_table& table = table_for(which);
  impl_ = nn::build_in_owned_arena<impl>(
      memory_bytes(m), [&](std::byte* base) { return build<impl>(m, table, base); });
}

predictor::predictor(const model& m, std::span<std::byte> memory, isa which) {
  const kernels::kernel_table& table = table_for(which);
  impl_ =
      nn::build_in_caller_arena<impl>(memory, memory_bytes(m), predictor_arena,
                                      [&](std::byte* base) { return build<impl>(m, table, base); });
}

predictor::predictor(predictor&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}

predictor& predictor::operator=(predictor&& other) noexcept {
  nn::move_arena(impl_, other.impl_);
  return *this;
}

predictor::~predictor() {
  nn::release_arena(impl_);
}

std::size_t predictor::workspace_bytes(std::size_t batch) const noexcept {
  if (impl_ == nullptr) return 0;
  const std::size_t rows = std::clamp<std::size_t>(batch, 1, rows_per_pass);
  return kernels::dense_workspace_floats(impl_->model, rows) * sizeof(float) +
         (nn::arena_alignment - 1);
}

status predictor::predict(std::span<const float> input, std::span<float> output,
                          std::span<std::byte> workspace) const noexcept {
  if (impl_ == nullptr) return status::empty_network;
  const predictor_state& self = *impl_;
  if (self.forward_row == nullptr) return predict_batch(input, 1, output, workspace);
  // predict_batch's checks for one row, in its order, without its divisions: a narrow model's
  // whole call is a few dozen nanoseconds, so they showed.
  if (input.size() != self.input_width || output.size() != self.output_width) {
    return status::size_mismatch;
  }
  if (aligned_workspace(workspace, kernels::dense_workspace_floats(self.model, 1)) == nullptr) {
    return status::workspace_too_small;
  }
  if (!all_finite(input.data(), input.size())) return status::non_finite_input;
  self.forward_row(self.model, input.data(), output.data());
  return status::ok;
}

status predictor::predict_batch(std::span<const float> inputs, std::size_t batch,
                                std::span<float> outputs,
                                std::span<std::byte> workspace) const noexcept {
  if (impl_ == nullptr) return status::empty_network;
  if (batch == 0) return status::empty_batch;
  const predictor_state& self = *impl_;
  // Division instead of batch * width: no overflow whatever batch a caller passes.
  if (inputs.size() % self.input_width != 0 || inputs.size() / self.input_width != batch ||
      outputs.size() % self.output_width != 0 || outputs.size() / self.output_width != batch) {
    return status::size_mismatch;
  }
  const std::size_t rows = std::min(batch, rows_per_pass);
  float* scratch = aligned_workspace(workspace, kernels::dense_workspace_floats(self.model, rows));
  if (scratch == nullptr) return status::workspace_too_small;
  if (!all_finite(inputs.data(), inputs.size())) return status::non_finite_input;
  if (batch == 1 && self.forward_row != nullptr) {
    self.forward_row(self.model, inputs.data(), outputs.data());
    return status::ok;
  }
  for (std::size_t first = 0; first < batch; first += rows_per_pass) {
    const std::size_t count = std::min(rows_per_pass, batch - first);
    self.forward(self.model, inputs.data() + first * self.input_width,
                 outputs.data() + first * self.output_width, count, scratch);
  }
  return status::ok;
}

std::size_t predictor::input_width() const noexcept {
  return impl_ ? impl_->input_width : 0;
}
std::size_t predictor::output_width() const noexcept {
  return impl_ ? impl_->output_width : 0;
}
std::size_t predictor::layer_count() const noexcept {
  return impl_ ? impl_->model.layer_count : 0;
}
std::size_t predictor::memory_bytes() const noexcept {
  return impl_ ? impl_->arena_bytes : 0;
}
isa predictor::kernels() const noexcept {
  return impl_ ? impl_->kernels : isa::sse2;
}
std::size_t predictor::class_count() const noexcept {
  return impl_ ? impl_->class_count : 0;
}
std::string_view predictor::class_name(std::size_t index) const noexcept {
  if (impl_ == nullptr || index >= impl_->class_count) return {};
  const std::size_t begin = impl_->name_offsets[index];
  return {impl_->name_bytes + begin, impl_->name_offsets[index + 1] - begin};
}

}  // namespace simdnn
