// lib/nn/losses.hpp — the network's losses: their sums in a fixed order, and the output deltas.
#pragma once

#include <cstddef>

#include "nn/network_state.hpp"

namespace simdnn::nn {

// dL/dy per output: the squared error's derivative carries a factor 2, the cross-entropies' none;
// divided by the mean reduction's divisor (simdnn/network.hpp) unless the reduction is a sum.
float loss_scale(const network_state& net, std::size_t batch) noexcept;

// The loss's value from its sum over `batch` rows, under the network's reduction.
float reduce_loss(const network_state& net, double sum, std::size_t batch) noexcept;

// The loss's sum over the saved batch against `targets` (already checked finite and sized), and
// with `delta` the output deltas dL/dZ of the last layer (through the output activation's
// derivative for every loss). The sum's order is fixed, so loss() and train_batch() agree
// bitwise.
double output_loss(const network_state& net, const float* targets, std::size_t batch,
                   float* delta) noexcept;

}  // namespace simdnn::nn
