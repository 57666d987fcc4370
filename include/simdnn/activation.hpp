// simdnn/activation.hpp — the activation functions a layer can apply, and their array kernels.
//
// ---- The activations --------------------------------------------------------------------------
// A layer computes A = f(Z) elementwise (softmax: per row). Every activation is vectorized through
// the per-ISA kernel tables, bitwise the same on AVX2 and AVX-512, and its derivative is taken
// from what the forward pass saved (README, "Activations"):
//   identity      f(z) = z                               exact
//   sigmoid       1 / (1 + exp(-z))                      <= 1.5 ULP, monotone (see below)
//   sigmoid_fast  the same function, faster              <= 2.5 ULP, may step back 1 ULP
//   tanh          tanh(z)                                <= 2 ULP, monotone, odd; exactly z where
//                 that rounds to z (tiny z, ±0), ±1 at saturation (|z| > 9.01), NaN -> NaN
//                 (measured over every float input: 0.818 ULP on AVX2 and AVX-512, 0.500 on SSE2)
//   relu          max(z, 0)                              exact; relu(-0) = +0, NaN -> NaN
//   leaky_relu    z > 0 ? z : slope * z  (slope >= 0)    one rounding (the product)
//   softmax       exp(z_j - m) / sum_k exp(z_k - m), m = max_k z_k, over each row: output layer
//                 only; overflow-safe for any finite input; each value within 4 ULP of the
//                 exact one (relative, for values >= FLT_MIN; measured 2.12 on random rows); the
//                 outputs' exact sum within 2^-24 of 1 (summed in float: (cols + 2) * 2^-24).
// Derivatives (the backprop step d = g * f'(z), computed from the saved output a = f(z)):
//   sigmoid: a (1 - a); tanh: 1 - a^2; relu: a > 0 ? 1 : 0; leaky_relu: a > 0 ? 1 : slope
//   (slope >= 0 makes the sign of a the sign of z); identity: 1; softmax: d_j = a_j (g_j -
//   sum_k g_k a_k), or fused with the softmax cross-entropy loss as d = a - y (simdnn/network.hpp).
// No activation here needs the pre-activation Z for its derivative; the network keeps Z only where
// a loss needs the logits (the cross-entropies, for a log-sum-exp that never overflows).
//
// ---- The sigmoid kernels ----------------------------------------------------------------------
// sigmoid(x, y):            y[i] = 1 / (1 + exp(-x[i]))
//   Accuracy: max error 1.5 ULP against the exact value wherever the result is a normal float
//   (measured over every float input: 1.015 ULP on AVX2, 0.500 on SSE2; the AVX-512 kernel is the
//   same code as AVX2's at twice the width). Results that would be subnormal (x < -87.33) are
//   flushed to +0 (a documented choice: they are below FLT_MIN and a network never uses them).
//   Exactly 1 where the exact value rounds to 1 (x > 16.6); exactly 0 for x below -87.33.
//   NaN -> NaN, +inf -> 1, -inf -> 0; a non-NaN input never gives NaN.
//   Monotone: a larger input never gives a smaller output (checked over every pair of adjacent
//   floats). The default everywhere in simdnn (networks, predictors).
// sigmoid_fast(x, y):       the same function, faster (about 1.5x the accurate kernel on AVX2; see
//   README) and less accurate: max error 2.5 ULP (measured 2.40 over every float input), and its
//   output can step back by 1 ULP between adjacent inputs (198k of the 2^32 pairs; never more
//   than 1 ULP). Flush, exact 0 / 1, special values and aliasing exactly as sigmoid's.
// sigmoid_derivative(s, d): d[i] = s[i] * (1 - s[i]), from a saved sigmoid output s, computed as
//   fma(-s, s, s): one rounding, correctly rounded. No exp is evaluated.
// sigmoid_delta(g, s, d):   d[i] = g[i] * s[i] * (1 - s[i]), the backprop step through a sigmoid
//   layer given the upstream gradient g; two roundings (relative error <= 2^-23).
//
// Aliasing: the output may be the same span as any input (in place); partial overlap is not
// allowed. Sizes must match, else std::invalid_argument. Never allocates.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace simdnn {

// The numeric values are part of the ABI: new activations are added at the end.
enum class activation : unsigned char {
  sigmoid,       // 1 / (1 + exp(-z)), the accurate kernel (the default everywhere)
  identity,      // f(z) = z, e.g. a linear output layer for regression
  sigmoid_fast,  // the same function through sigmoid_fast (opt-in: faster, <= 2.5 ULP)
  tanh,
  relu,
  leaky_relu,  // slope from the layer's activation parameter (default 0.01)
  softmax,     // output layer only
};

inline constexpr std::size_t activation_count = 7;
// The slope of a leaky_relu layer whose parameter is not given.
inline constexpr float default_leaky_relu_slope = 0.01f;

// "sigmoid", "identity", "sigmoid_fast", "tanh", "relu", "leaky_relu", "softmax"; "unknown" for a
// value outside the enum. Never null.
[[nodiscard]] const char* activation_name(activation a) noexcept;
// The activation `name` names (exactly the names above), or nullopt.
[[nodiscard]] std::optional<activation> activation_from_name(std::string_view name) noexcept;
// Whether `a` is a value of the enum.
[[nodiscard]] bool is_activation(activation a) noexcept;
// Whether `a` takes a parameter (leaky_relu's slope); the others' parameter must be 0.
[[nodiscard]] bool activation_has_parameter(activation a) noexcept;
// Whether `a` may only be the last layer's activation (softmax).
[[nodiscard]] bool activation_output_only(activation a) noexcept;
// The first problem with `parameter` for `a` ("leaky_relu slope must be finite and >= 0", "tanh
// takes no parameter (got 0.5)"), or an empty string_view when it is fine. Never allocates.
[[nodiscard]] std::string_view activation_parameter_problem(activation a, float parameter) noexcept;

void sigmoid(std::span<const float> x, std::span<float> y);
void sigmoid_fast(std::span<const float> x, std::span<float> y);
void sigmoid_derivative(std::span<const float> s, std::span<float> d);
void sigmoid_delta(std::span<const float> g, std::span<const float> s, std::span<float> d);

// The other activations' array kernels, contracts as in the table at the top. Same aliasing and
// size rules as the sigmoid's; softmax works on rows x cols row-major (x.size() == rows * cols,
// cols >= 1, else std::invalid_argument). Never allocate.
void tanh(std::span<const float> x, std::span<float> y);
void relu(std::span<const float> x, std::span<float> y);
void leaky_relu(std::span<const float> x, std::span<float> y, float slope);
void softmax(std::span<const float> x, std::span<float> y, std::size_t cols);

}  // namespace simdnn
