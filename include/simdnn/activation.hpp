// simdnn/activation.hpp — vectorized logistic sigmoid and its backprop helpers.
//
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

#include <span>

namespace simdnn {

void sigmoid(std::span<const float> x, std::span<float> y);
void sigmoid_fast(std::span<const float> x, std::span<float> y);
void sigmoid_derivative(std::span<const float> s, std::span<float> d);
void sigmoid_delta(std::span<const float> g, std::span<const float> s, std::span<float> d);

}  // namespace simdnn
