// lib/nn/optimizers.hpp — the network's optimizer updates (formulas: simdnn/network.hpp,
// "Optimizers").
#pragma once

#include <cstdint>

#include "nn/network_state.hpp"
#include "nn/work_split.hpp"

namespace simdnn::nn {

// One optimizer update of parameters [range.first, range.last) of the parameter region (its
// layout: network_state.hpp); `t` is the step count including this update. Parts of a pass may
// update disjoint ranges at once. reset_optimizer_state (network_state.hpp) is its counterpart.
void step_range(network_state& net, float learning_rate, std::uint64_t t,
                index_range range) noexcept;

}  // namespace simdnn::nn
