// lib/activation.cpp — the activation descriptors, and the public activation entry points: check
// sizes, dispatch to the active ISA.
#include "simdnn/activation.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/table.hpp"
#include "nn/activations.hpp"

namespace simdnn {

namespace nn {
namespace {

using kernels::kernel_table;

// Elementwise kernels see rows * cols values; only softmax cares about rows.
constexpr activation_descriptor descriptors[activation_count] = {
    {activation::sigmoid, "sigmoid", 1, false, 0.0f, false, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept { k.sigmoid(z, a, rows * cols); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols, float) noexcept { k.sigmoid_delta(g, a, d, rows * cols); }},
    {activation::identity, "identity", 2, false, 0.0f, false, true,
     [](const kernel_table&, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept {
       if (z != a) {
         for (std::size_t i = 0; i < rows * cols; ++i) a[i] = z[i];
       }
     },
     [](const kernel_table&, const float* g, const float*, float* d, std::size_t rows,
        std::size_t cols, float) noexcept {
       if (g != d) {
         for (std::size_t i = 0; i < rows * cols; ++i) d[i] = g[i];
       }
     }},
    {activation::sigmoid_fast, "sigmoid_fast", 3, false, 0.0f, false, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept { k.sigmoid_fast(z, a, rows * cols); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols, float) noexcept { k.sigmoid_delta(g, a, d, rows * cols); }},
    {activation::tanh, "tanh", 4, false, 0.0f, false, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept { k.tanh(z, a, rows * cols); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols, float) noexcept { k.tanh_delta(g, a, d, rows * cols); }},
    {activation::relu, "relu", 5, false, 0.0f, false, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept { k.relu(z, a, rows * cols); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols, float) noexcept { k.relu_delta(g, a, d, rows * cols); }},
    {activation::leaky_relu, "leaky_relu", 6, true, default_leaky_relu_slope, false, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float slope) noexcept { k.leaky_relu(z, a, rows * cols, slope); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols,
        float slope) noexcept { k.leaky_relu_delta(g, a, d, rows * cols, slope); }},
    {activation::softmax, "softmax", 7, false, 0.0f, true, true,
     [](const kernel_table& k, const float* z, float* a, std::size_t rows, std::size_t cols,
        float) noexcept { k.softmax(z, a, rows, cols); },
     [](const kernel_table& k, const float* g, const float* a, float* d, std::size_t rows,
        std::size_t cols, float) noexcept { k.softmax_delta(g, a, d, rows, cols); }},
};

constexpr bool descriptors_in_enum_order() {
  for (std::size_t i = 0; i < activation_count; ++i) {
    if (static_cast<std::size_t>(descriptors[i].kind) != i) return false;
  }
  return true;
}
static_assert(descriptors_in_enum_order(), "descriptors[i] must describe activation value i");

}  // namespace

const activation_descriptor& describe(activation a) noexcept {
  return descriptors[static_cast<std::size_t>(a)];
}

const activation_descriptor* describe_file_code(std::uint32_t code) noexcept {
  for (const activation_descriptor& d : descriptors) {
    if (d.file_code == code) return &d;
  }
  return nullptr;
}

float parameter_or_default(activation a, const float* given) noexcept {
  return given != nullptr ? *given : describe(a).default_parameter;
}

}  // namespace nn

bool is_activation(activation a) noexcept {
  return static_cast<std::size_t>(a) < activation_count;
}

const char* activation_name(activation a) noexcept {
  return is_activation(a) ? nn::describe(a).name : "unknown";
}

std::optional<activation> activation_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < activation_count; ++i) {
    const auto a = static_cast<activation>(i);
    if (name == nn::describe(a).name) return a;
  }
  return std::nullopt;
}

bool activation_has_parameter(activation a) noexcept {
  return is_activation(a) && nn::describe(a).has_parameter;
}

bool activation_output_only(activation a) noexcept {
  return is_activation(a) && nn::describe(a).output_only;
}

std::string_view activation_parameter_problem(activation a, float parameter) noexcept {
  if (!is_activation(a)) return "not a simdnn::activation value";
  if (nn::describe(a).has_parameter) {
    // leaky_relu: a negative slope would flip the sign of a, and with it the derivative's test.
    if (!std::isfinite(parameter) || parameter < 0.0f) {
      return "leaky_relu slope must be finite and >= 0";
    }
    return {};
  }
  if (parameter != 0.0f) return "this activation takes no parameter (it must be 0)";
  return {};
}

namespace {

void check_same_size(const char* function, std::size_t input, std::size_t output) {
  if (input != output) {
    throw std::invalid_argument(std::string("simdnn::") + function + ": input has " +
                                std::to_string(input) + " elements but output has " +
                                std::to_string(output));
  }
}

}  // namespace

void sigmoid(std::span<const float> x, std::span<float> y) {
  check_same_size("sigmoid", x.size(), y.size());
  kernels::best_kernels().sigmoid(x.data(), y.data(), x.size());
}

void sigmoid_fast(std::span<const float> x, std::span<float> y) {
  check_same_size("sigmoid_fast", x.size(), y.size());
  kernels::best_kernels().sigmoid_fast(x.data(), y.data(), x.size());
}

void sigmoid_derivative(std::span<const float> s, std::span<float> d) {
  check_same_size("sigmoid_derivative", s.size(), d.size());
  kernels::best_kernels().sigmoid_derivative(s.data(), d.data(), s.size());
}

void sigmoid_delta(std::span<const float> g, std::span<const float> s, std::span<float> d) {
  check_same_size("sigmoid_delta", g.size(), d.size());
  check_same_size("sigmoid_delta", s.size(), d.size());
  kernels::best_kernels().sigmoid_delta(g.data(), s.data(), d.data(), d.size());
}

void tanh(std::span<const float> x, std::span<float> y) {
  check_same_size("tanh", x.size(), y.size());
  kernels::best_kernels().tanh(x.data(), y.data(), x.size());
}

void relu(std::span<const float> x, std::span<float> y) {
  check_same_size("relu", x.size(), y.size());
  kernels::best_kernels().relu(x.data(), y.data(), x.size());
}

void leaky_relu(std::span<const float> x, std::span<float> y, float slope) {
  check_same_size("leaky_relu", x.size(), y.size());
  if (!activation_parameter_problem(activation::leaky_relu, slope).empty()) {
    throw std::invalid_argument("simdnn::leaky_relu: slope must be finite and >= 0, got " +
                                std::to_string(slope));
  }
  kernels::best_kernels().leaky_relu(x.data(), y.data(), x.size(), slope);
}

void softmax(std::span<const float> x, std::span<float> y, std::size_t cols) {
  check_same_size("softmax", x.size(), y.size());
  if (cols == 0 || x.size() % cols != 0) {
    throw std::invalid_argument("simdnn::softmax: " + std::to_string(x.size()) +
                                " values are not whole rows of " + std::to_string(cols) +
                                " columns");
  }
  kernels::best_kernels().softmax(x.data(), y.data(), x.size() / cols, cols);
}

}  // namespace simdnn
