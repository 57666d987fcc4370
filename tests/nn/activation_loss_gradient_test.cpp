// tests/nn/activation_loss_gradient_test.cpp — every activation x loss pair the network allows:
// the float network's loss and its gradient of every weight and bias against a double-precision
// reference forward pass (written here from the formulas in simdnn/activation.hpp and
// simdnn/network.hpp, sharing no code with the library) differentiated by central finite
// differences. Runs on the active ISA; tests/nn/tests.cmake registers the executable once per
// ISA cap.
//
// Tolerances. The finite differences use h = 1e-3 in double on the reference, whose truncation
// error h^2/6 |L'''| is ~1e-7 for these nets; the float network's gradients carry relative
// rounding of a few 1e-7 per layer (sigmoid_fast: 2.5 ULP in the forward and a derivative taken
// from its slightly-off output, ~1e-6). The check is |g - fd| <= 2e-4 * max(|fd|, 0.05 * G) with
// G the largest |fd| of the network: a missing factor 2, a wrong derivative or a missing term is
// off by O(|fd|), far above it, while rounding stays below 1e-5 * G. Parameters whose +-h step
// moves a relu/leaky_relu pre-activation across 0 (a kink: no derivative there) are skipped and
// counted; at most 5% may be.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "simdnn/activation.hpp"
#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

struct pair_case {
  activation hidden;
  activation output;
  loss_function loss;
  loss_reduction reduction;
};

std::vector<pair_case> allowed_pairs() {
  std::vector<pair_case> cases;
  const activation all[] = {activation::sigmoid, activation::identity, activation::sigmoid_fast,
                            activation::tanh,    activation::relu,     activation::leaky_relu,
                            activation::softmax};
  for (activation output : all) {
    std::vector<loss_function> losses = {loss_function::squared_error};
    if (output == activation::sigmoid || output == activation::sigmoid_fast) {
      losses.push_back(loss_function::binary_cross_entropy);
    }
    if (output == activation::softmax) losses.push_back(loss_function::softmax_cross_entropy);
    for (loss_function loss : losses) {
      for (loss_reduction reduction : {loss_reduction::mean, loss_reduction::sum}) {
        // Every hidden activation with each output once (softmax is output-only).
        for (activation hidden : all) {
          if (hidden == activation::softmax) continue;
          cases.push_back({hidden, output, loss, reduction});
        }
      }
    }
  }
  return cases;
}

std::string pair_name(const ::testing::TestParamInfo<pair_case>& info) {
  const pair_case& c = info.param;
  return std::string(activation_name(c.hidden)) + "_" + activation_name(c.output) + "_" +
         loss_name(c.loss) + (c.reduction == loss_reduction::mean ? "_mean" : "_sum");
}

// ---- The double reference -----------------------------------------------------------------

struct reference_net {
  std::vector<std::size_t> widths;
  std::vector<activation> acts;
  std::vector<double> parameters;  // per layer: weights (in x out, row-major) then biases
  double slope = 0.0;              // leaky_relu
};

double apply(activation a, double z, double slope) {
  switch (a) {
    case activation::sigmoid:
    case activation::sigmoid_fast:
      return 1.0 / (1.0 + std::exp(-z));
    case activation::tanh:
      return std::tanh(z);
    case activation::relu:
      return z > 0.0 ? z : 0.0;
    case activation::leaky_relu:
      return z > 0.0 ? z : slope * z;
    default:
      return z;
  }
}

struct reference_result {
  double loss = 0.0;
  // The pre-activations of every kinked (relu, leaky_relu) layer, to detect a step across 0.
  std::vector<double> kinked_z;
};

reference_result reference_loss(const reference_net& net, const std::vector<float>& x,
                                const std::vector<float>& t, std::size_t batch, loss_function loss,
                                loss_reduction reduction) {
  reference_result result;
  std::vector<double> a(x.begin(), x.end());
  std::vector<double> z;
  std::size_t offset = 0;
  const std::size_t layers = net.widths.size() - 1;
  for (std::size_t l = 0; l < layers; ++l) {
    const std::size_t in = net.widths[l], out = net.widths[l + 1];
    const double* w = net.parameters.data() + offset;
    const double* b = w + in * out;
    offset += in * out + out;
    z.assign(batch * out, 0.0);
    for (std::size_t r = 0; r < batch; ++r) {
      for (std::size_t j = 0; j < out; ++j) {
        double s = b[j];
        for (std::size_t i = 0; i < in; ++i) s += a[r * in + i] * w[i * out + j];
        z[r * out + j] = s;
      }
    }
    const activation act = net.acts[l];
    if (act == activation::relu || act == activation::leaky_relu) {
      result.kinked_z.insert(result.kinked_z.end(), z.begin(), z.end());
    }
    a.assign(batch * out, 0.0);
    if (act == activation::softmax) {
      for (std::size_t r = 0; r < batch; ++r) {
        double m = z[r * out];
        for (std::size_t j = 1; j < out; ++j) m = std::max(m, z[r * out + j]);
        double s = 0.0;
        for (std::size_t j = 0; j < out; ++j) s += std::exp(z[r * out + j] - m);
        for (std::size_t j = 0; j < out; ++j) a[r * out + j] = std::exp(z[r * out + j] - m) / s;
      }
    } else {
      for (std::size_t i = 0; i < z.size(); ++i) a[i] = apply(act, z[i], net.slope);
    }
  }
  const std::size_t out = net.widths.back();
  double sum = 0.0;
  for (std::size_t r = 0; r < batch; ++r) {
    if (loss == loss_function::softmax_cross_entropy) {
      double m = z[r * out];
      for (std::size_t j = 1; j < out; ++j) m = std::max(m, z[r * out + j]);
      double s = 0.0;
      for (std::size_t j = 0; j < out; ++j) s += std::exp(z[r * out + j] - m);
      const double lse = m + std::log(s);
      for (std::size_t j = 0; j < out; ++j) sum += t[r * out + j] * (lse - z[r * out + j]);
      continue;
    }
    for (std::size_t j = 0; j < out; ++j) {
      const double ti = t[r * out + j], yi = a[r * out + j];
      if (loss == loss_function::binary_cross_entropy) {
        // -[t log y + (1 - t) log(1 - y)] with y = sigmoid(z), written the textbook way: the
        // values here are moderate, so it is accurate, and it is not the library's formula.
        sum += -(ti * std::log(yi) + (1.0 - ti) * std::log(1.0 - yi));
      } else {
        sum += (yi - ti) * (yi - ti);
      }
    }
  }
  if (reduction == loss_reduction::mean) {
    sum /= loss == loss_function::softmax_cross_entropy ? static_cast<double>(batch)
                                                        : static_cast<double>(batch * out);
  }
  result.loss = sum;
  return result;
}

bool crosses_a_kink(const std::vector<double>& before, const std::vector<double>& after) {
  for (std::size_t i = 0; i < before.size(); ++i) {
    if ((before[i] > 0.0) != (after[i] > 0.0)) return true;
  }
  return false;
}

// ---- The test -----------------------------------------------------------------------------

class ActivationLossGradient : public ::testing::TestWithParam<pair_case> {};

TEST_P(ActivationLossGradient, MatchesFiniteDifferencesOfADoubleReference) {
  const pair_case& c = GetParam();
  const std::vector<std::size_t> widths = {4, 6, 5, 3};
  constexpr std::size_t batch = 5;
  constexpr float slope = 0.1f;
  network_options options;
  options.activations = {c.hidden, c.hidden, c.output};
  options.activation_parameters = {c.hidden == activation::leaky_relu ? slope : 0.0f,
                                   c.hidden == activation::leaky_relu ? slope : 0.0f,
                                   c.output == activation::leaky_relu ? slope : 0.0f};
  options.loss = c.loss;
  options.reduction = c.reduction;
  options.max_batch = 8;
  options.seed = 99;
  network net(widths, options);
  test_rng rng(2024);
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (float& b : net.biases(l)) b = rng.uniform(-0.5f, 0.5f);
  }
  std::vector<float> x(batch * widths.front());
  for (float& v : x) v = rng.uniform(-2.0f, 2.0f);
  std::vector<float> t(batch * widths.back());
  for (std::size_t r = 0; r < batch; ++r) {
    if (c.loss == loss_function::softmax_cross_entropy) {
      t[r * 3 + rng.below(3)] = 1.0f;  // one-hot rows
    } else if (c.loss == loss_function::binary_cross_entropy) {
      for (std::size_t j = 0; j < 3; ++j) t[r * 3 + j] = rng.uniform(0.0f, 1.0f);  // soft labels
    } else {
      for (std::size_t j = 0; j < 3; ++j) t[r * 3 + j] = rng.uniform(-0.5f, 1.0f);
    }
  }

  ASSERT_TRUE(net.forward(x, batch));
  const result<float> loss = net.loss(t);
  ASSERT_TRUE(loss);
  ASSERT_EQ(net.backward(t), status::ok);

  reference_net ref{widths, options.activations, {}, static_cast<double>(slope)};
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    ref.parameters.insert(ref.parameters.end(), net.weights(l).begin(), net.weights(l).end());
    ref.parameters.insert(ref.parameters.end(), net.biases(l).begin(), net.biases(l).end());
  }
  const reference_result base = reference_loss(ref, x, t, batch, c.loss, c.reduction);
  const double loss_tolerance =
      c.output == activation::sigmoid_fast || c.hidden == activation::sigmoid_fast ? 1e-5 : 2e-6;
  EXPECT_NEAR(loss.value, base.loss, loss_tolerance * std::max(1.0, std::fabs(base.loss)))
      << "loss value";

  // Central differences of every parameter, then the comparison against the largest of them.
  constexpr double h = 1e-3;
  std::vector<double> fd(ref.parameters.size());
  std::vector<bool> kinked(ref.parameters.size(), false);
  for (std::size_t p = 0; p < ref.parameters.size(); ++p) {
    const double saved = ref.parameters[p];
    ref.parameters[p] = saved + h;
    const reference_result up = reference_loss(ref, x, t, batch, c.loss, c.reduction);
    ref.parameters[p] = saved - h;
    const reference_result down = reference_loss(ref, x, t, batch, c.loss, c.reduction);
    ref.parameters[p] = saved;
    fd[p] = (up.loss - down.loss) / (2 * h);
    kinked[p] =
        crosses_a_kink(base.kinked_z, up.kinked_z) || crosses_a_kink(base.kinked_z, down.kinked_z);
  }
  double largest = 0.0;
  for (double g : fd) largest = std::max(largest, std::fabs(g));
  ASSERT_GT(largest, 1e-6) << "a degenerate case: every gradient vanishes";

  std::size_t p = 0, skipped = 0, compared = 0;
  double worst = 0.0;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (const auto& [name, values] :
         {std::pair{"weight", net.weight_gradients(l)}, std::pair{"bias", net.bias_gradients(l)}}) {
      for (std::size_t i = 0; i < values.size(); ++i, ++p) {
        if (kinked[p]) {
          ++skipped;
          continue;
        }
        const double allowed = 2e-4 * std::max(std::fabs(fd[p]), 0.05 * largest);
        const double error = std::fabs(static_cast<double>(values[i]) - fd[p]);
        worst = std::max(worst, error / allowed);
        ++compared;
        EXPECT_LE(error, allowed) << name << " gradient, layer " << l << " index " << i
                                  << ": simdnn " << values[i] << ", finite difference " << fd[p];
      }
    }
  }
  EXPECT_LE(skipped * 20, p) << skipped << " of " << p << " parameters sit on a relu kink";
  std::printf("[ %s ] %zu gradients compared (%zu at a kink), worst %.3f of the tolerance\n",
              isa_name(net.kernels()), compared, skipped, worst);
}

INSTANTIATE_TEST_SUITE_P(EveryAllowedPair, ActivationLossGradient,
                         ::testing::ValuesIn(allowed_pairs()), pair_name);

}  // namespace
}  // namespace simdnn::testing
