// lib/nn/optimizers.cpp — the optimizer updates and their state.
#include "nn/optimizers.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "simdnn/network.hpp"

namespace simdnn::nn {

namespace {

// Each sweeps the parameter region in one loop, padding included: padding is zero in the
// parameters and the gradients, and every rule below maps a zero gradient on a zero parameter to
// no change. Scalar float code in a fixed order, compiled for the baseline ISA only, so a run
// is bitwise the same on every machine.

void sgd_step(float* p, const float* g, std::size_t n, float lr, float decay) noexcept {
  if (decay == 0.0f) {
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + decay * p[i]);
  }
}

void momentum_step(float* p, const float* g, float* velocity, std::size_t n, float lr,
                   const optimizer_options& o) noexcept {
  const float mu = o.momentum, decay = o.weight_decay;
  for (std::size_t i = 0; i < n; ++i) {
    const float gi = g[i] + decay * p[i];
    const float v = mu * velocity[i] + gi;
    velocity[i] = v;
    p[i] -= o.nesterov ? lr * (gi + mu * v) : lr * v;
  }
}

void adam_step(float* p, const float* g, float* m, float* v, std::size_t n, float lr,
               const optimizer_options& o, std::uint64_t t) noexcept {
  const float b1 = o.beta1, b2 = o.beta2, eps = o.epsilon;
  // The bias corrections 1 - beta^t in double (pow is exact enough there and the same everywhere
  // for these integer exponents), applied as two float factors.
  const auto steps = static_cast<double>(t);
  const auto c1 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(b1), steps)));
  const auto c2 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(b2), steps)));
  const bool decoupled = o.kind == optimizer_kind::adamw;
  const float decay = o.weight_decay;
  const float one_minus_b1 = 1.0f - b1, one_minus_b2 = 1.0f - b2;
  for (std::size_t i = 0; i < n; ++i) {
    float gi = g[i];
    if (decoupled) {
      p[i] -= lr * decay * p[i];
    } else {
      gi += decay * p[i];
    }
    const float mi = b1 * m[i] + one_minus_b1 * gi;
    const float vi = b2 * v[i] + one_minus_b2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr * (mi * c1) / (std::sqrt(vi * c2) + eps);
  }
}

// iRPROP-: `previous` holds the last gradient that moved the parameter (0 after a sign change),
// `step` the per-parameter step size.
void rprop_step(float* p, const float* g, float* previous, float* step, std::size_t n,
                const optimizer_options& o) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    float gi = g[i];
    // Signs compared, not the product's sign: two tiny gradients (1e-23 each) would underflow
    // to a product of 0 and hide a sign change.
    const bool same = (gi > 0.0f && previous[i] > 0.0f) || (gi < 0.0f && previous[i] < 0.0f);
    const bool flipped = (gi > 0.0f && previous[i] < 0.0f) || (gi < 0.0f && previous[i] > 0.0f);
    if (same) {
      step[i] = std::min(step[i] * o.rprop_increase, o.rprop_max_step);
    } else if (flipped) {
      step[i] = std::max(step[i] * o.rprop_decrease, o.rprop_min_step);
      gi = 0.0f;  // iRPROP-: forget the gradient, do not move this time
    }
    if (gi > 0.0f) {
      p[i] -= step[i];
    } else if (gi < 0.0f) {
      p[i] += step[i];
    }
    previous[i] = gi;
  }
}

}  // namespace

// One optimizer update of parameters [first, last) (the region's layout: network_state.hpp);
// `t` is the step count including this update.
void step_range(network_state& net, float learning_rate, std::uint64_t t,
                index_range range) noexcept {
  if (range.size() == 0) return;
  const std::size_t n = net.parameter_region_floats, count = range.size();
  float* p = net.parameters + range.first;
  const float* g = net.gradients + range.first;
  float* first = net.optimizer_state + range.first;
  float* second = net.optimizer_state + (net.optimizer_state_regions > 1 ? n : 0) + range.first;
  const optimizer_options& o = net.optimizer;
  switch (o.kind) {
    case optimizer_kind::sgd:
      sgd_step(p, g, count, learning_rate, o.weight_decay);
      break;
    case optimizer_kind::momentum:
      momentum_step(p, g, first, count, learning_rate, o);
      break;
    case optimizer_kind::adam:
    case optimizer_kind::adamw:
      adam_step(p, g, first, second, count, learning_rate, o, t);
      break;
    case optimizer_kind::rprop:
      rprop_step(p, g, first, second, count, o);
      break;
  }
}

void reset_optimizer_state(network_state& net) noexcept {
  const std::size_t n = net.parameter_region_floats;
  float* state = net.optimizer_state;
  std::fill(state, state + net.optimizer_state_regions * n, 0.0f);
  if (net.optimizer.kind == optimizer_kind::rprop) {
    std::fill(state + n, state + 2 * n, net.optimizer.rprop_initial_step);
  }
  net.optimizer_steps = 0;
}

}  // namespace simdnn::nn
