// lib/nn/activations.hpp — each activation as data: one descriptor per simdnn::activation.
//
// The network, the predictor, the model reader and writer and simdnn-inspect all look an
// activation up here instead of branching on it, so adding one touches the enum
// (simdnn/activation.hpp), one descriptor (lib/activation.cpp), one kernel in the tables and its
// tests. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/table.hpp"
#include "simdnn/activation.hpp"

namespace simdnn::nn {

struct activation_descriptor {
  activation kind;
  const char* name;
  // Its code in model files (docs/model-format.md): fixed forever, independent of the enum.
  std::uint32_t file_code;
  bool has_parameter;
  float default_parameter;
  bool output_only;  // only the last layer may use it (softmax)
  // Whether the derivative is taken from the saved output A (else the pre-activation Z must be
  // kept for it; no shipped activation needs that: see keeps_pre_activations in network_plan).
  bool derivative_from_output;
  // A = f(Z) over rows x cols (Z == A allowed: in place).
  void (*forward)(const kernels::kernel_table& k, const float* z, float* a, std::size_t rows,
                  std::size_t cols, float parameter) noexcept;
  // D = G * f'(Z), given A (or Z when !derivative_from_output); D may equal G.
  void (*backward)(const kernels::kernel_table& k, const float* g, const float* saved, float* d,
                   std::size_t rows, std::size_t cols, float parameter) noexcept;
};

// The descriptor of `a`; precondition: is_activation(a).
[[nodiscard]] const activation_descriptor& describe(activation a) noexcept;
// The descriptor whose file_code is `code`, or nullptr.
[[nodiscard]] const activation_descriptor* describe_file_code(std::uint32_t code) noexcept;
// A layer's parameter: the given one, or the activation's default when none was given.
[[nodiscard]] float parameter_or_default(activation a, const float* given) noexcept;

}  // namespace simdnn::nn
