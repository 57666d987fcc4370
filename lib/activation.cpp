// lib/activation.cpp — public sigmoid entry points: check sizes, dispatch to the active ISA.
#include "simdnn/activation.hpp"

#include <stdexcept>
#include <string>

#include "kernels/table.hpp"

namespace simdnn {
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

}  // namespace simdnn
