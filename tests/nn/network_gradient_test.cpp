// tests/nn/network_gradient_test.cpp — forward outputs, loss and every weight and bias gradient of
// simdnn::network against a plain double-precision reference (tests/nn/reference.hpp) and, for
// the gradients, against central finite differences of the reference loss.
//
// Tolerances. Float against the reference: the first-order rounding-error bound the reference
// computes from the kernels' contracts (see reference.hpp), times 1.5 for second-order terms; it
// scales with the magnitudes involved, so it is tight where the numbers are small and never
// hides a wrong formula (a missing factor or term is O(1), the bound is O(1e-6)). Finite
// differences against the reference: both in double, so only the method's own error remains:
// truncation h^2 / 6 |d3L/dw3| with h = 1e-4 is 1.7e-9 |d3L/dw3|, and on these nets (|x| <= 2,
// |w| <= 1.2, at most 2x amplification per layer) |d3L/dw3| stays far below 100, i.e. < 2e-7;
// cancellation adds 1e-16 |L| / h ~ 1e-12. 1e-6 (relative above 1) leaves a 5x margin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "nn/reference.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

constexpr double fd_step = 1e-4;
constexpr double fd_tolerance = 1e-6;

struct gradient_case {
  std::vector<std::size_t> widths;
  bool bias;
  loss_reduction reduction;
  activation output;
  bool standardize;
};

std::string case_name(const ::testing::TestParamInfo<gradient_case>& info) {
  const gradient_case& c = info.param;
  std::string name;
  for (std::size_t w : c.widths) {
    if (!name.empty()) name += '_';
    name += std::to_string(w);
  }
  name += c.bias ? "_bias" : "_nobias";
  name += c.reduction == loss_reduction::mean ? "_mean" : "_sum";
  name += c.output == activation::sigmoid ? "_sigmoidout" : "_identityout";
  if (c.standardize) name += "_standardized";
  return name;
}

std::vector<gradient_case> small_cases() {
  std::vector<gradient_case> cases;
  for (const std::vector<std::size_t>& widths :
       {std::vector<std::size_t>{3, 4, 2}, std::vector<std::size_t>{4, 5, 3, 2}}) {
    for (bool bias : {true, false}) {
      for (loss_reduction reduction : {loss_reduction::mean, loss_reduction::sum}) {
        for (activation output : {activation::sigmoid, activation::identity}) {
          cases.push_back({widths, bias, reduction, output, false});
        }
      }
    }
  }
  cases.push_back({{4, 5, 3, 2}, true, loss_reduction::mean, activation::sigmoid, true});
  cases.push_back({{4, 5, 3, 2}, false, loss_reduction::sum, activation::identity, true});
  return cases;
}

network_options options_for(const gradient_case& c, std::size_t max_batch) {
  network_options options;
  options.bias = c.bias;
  options.reduction = c.reduction;
  options.max_batch = max_batch;
  options.activations.assign(c.widths.size() - 1, activation::sigmoid);
  options.activations.back() = c.output;
  options.seed = 20240607;
  return options;
}

std::vector<float> uniform_values(test_rng& rng, std::size_t count, float lo, float hi) {
  std::vector<float> values(count);
  for (float& v : values) v = rng.uniform(lo, hi);
  return values;
}

// Non-zero biases, so that bias handling in forward is exercised and not just the gradients.
void randomize_biases(network& net, test_rng& rng) {
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (float& b : net.biases(l)) b = rng.uniform(-0.5f, 0.5f);
  }
}

struct check_totals {
  double worst_bound_ratio = 0.0;  // max |float - reference| / bound
  double worst_fd_error = 0.0;     // max |finite difference - reference| / max(1, |reference|)
};

// The float value against the reference with the bound, the reference against finite
// differences, and the float value against finite differences.
void check_gradient(const char* what, std::size_t layer, std::size_t index, float value,
                    double reference, double bound, double finite_difference,
                    check_totals& totals) {
  const double tolerance = 1.5 * bound + 1e-30;
  const double fd_allowed = fd_tolerance * std::max(1.0, std::fabs(reference));
  EXPECT_LE(std::fabs(value - reference), tolerance)
      << what << " layer " << layer << " index " << index << ": simdnn " << value << ", reference "
      << reference << ", bound " << bound;
  EXPECT_LE(std::fabs(finite_difference - reference), fd_allowed)
      << what << " layer " << layer << " index " << index << ": finite difference "
      << finite_difference << ", reference backprop " << reference;
  EXPECT_LE(std::fabs(value - finite_difference), tolerance + fd_allowed)
      << what << " layer " << layer << " index " << index << ": simdnn " << value
      << ", finite difference " << finite_difference;
  if (bound > 0)
    totals.worst_bound_ratio =
        std::max(totals.worst_bound_ratio, std::fabs(value - reference) / bound);
  totals.worst_fd_error = std::max(totals.worst_fd_error, std::fabs(finite_difference - reference) /
                                                              std::max(1.0, std::fabs(reference)));
}

class NetworkGradient : public ::testing::TestWithParam<gradient_case> {};

TEST_P(NetworkGradient, MatchesReferenceBackpropAndFiniteDifferences) {
  const gradient_case& c = GetParam();
  constexpr std::size_t max_batch = 7, batch = 5;
  test_rng rng(17);
  network net(c.widths, options_for(c, max_batch));
  if (c.bias) randomize_biases(net, rng);
  const std::size_t in = c.widths.front(), out = c.widths.back();
  if (c.standardize) {
    std::vector<float> mean(in), stddev(in);
    for (std::size_t j = 0; j < in; ++j) {
      mean[j] = rng.uniform(-1.0f, 1.0f);
      stddev[j] = rng.uniform(0.5f, 2.0f);
    }
    net.set_input_standardization(mean, stddev);
  }

  // A larger batch first: rows beyond `batch` then hold stale values that must not leak in.
  const std::vector<float> warmup = uniform_values(rng, max_batch * in, -2.0f, 2.0f);
  ASSERT_TRUE(net.forward(warmup, max_batch));

  const std::vector<float> inputs = uniform_values(rng, batch * in, -2.0f, 2.0f);
  const std::vector<float> targets = c.output == activation::sigmoid
                                         ? uniform_values(rng, batch * out, 0.0f, 1.0f)
                                         : uniform_values(rng, batch * out, -1.0f, 1.0f);
  const auto outputs = net.forward(inputs, batch);
  ASSERT_TRUE(outputs) << status_message(outputs.error);
  const auto float_loss = net.loss(targets);
  ASSERT_TRUE(float_loss);
  ASSERT_EQ(net.backward(targets), status::ok);

  reference_net ref = reference_net::of(net, c.reduction);
  const reference_forward pass = forward(ref, inputs, batch);
  const reference_gradients g = backward(ref, pass, targets);

  // Forward outputs and loss.
  ASSERT_EQ(outputs.value.size(), batch * out);
  double loss_bound = 0.0;
  for (std::size_t i = 0; i < batch * out; ++i) {
    EXPECT_LE(std::fabs(outputs.value[i] - pass.a.back()[i]), 1.5 * pass.error.back()[i])
        << "output " << i;
    loss_bound += 2 * std::fabs(pass.a.back()[i] - targets[i]) * pass.error.back()[i];
  }
  if (c.reduction == loss_reduction::mean) loss_bound /= static_cast<double>(batch * out);
  const double ref_loss = loss(ref, pass, targets);
  EXPECT_LE(std::fabs(float_loss.value - ref_loss), 1.5 * loss_bound + float_eps * ref_loss);

  // Every weight and bias.
  check_totals totals;
  const auto central_difference = [&](double& parameter) {
    const double saved = parameter;
    parameter = saved + fd_step;
    const double plus = loss(ref, forward(ref, inputs, batch), targets);
    parameter = saved - fd_step;
    const double minus = loss(ref, forward(ref, inputs, batch), targets);
    parameter = saved;
    return (plus - minus) / (2 * fd_step);
  };
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    const auto dw = net.weight_gradients(l);
    ASSERT_EQ(dw.size(), g.weights[l].size());
    for (std::size_t i = 0; i < dw.size(); ++i) {
      check_gradient("weight", l, i, dw[i], g.weights[l][i], g.weight_bounds[l][i],
                     central_difference(ref.weights[l][i]), totals);
    }
    const auto db = net.bias_gradients(l);
    if (!c.bias) {
      EXPECT_TRUE(db.empty());
      continue;
    }
    ASSERT_EQ(db.size(), g.biases[l].size());
    for (std::size_t j = 0; j < db.size(); ++j) {
      check_gradient("bias", l, j, db[j], g.biases[l][j], g.bias_bounds[l][j],
                     central_difference(ref.biases[l][j]), totals);
    }
  }
  RecordProperty("worst_error_to_bound", std::to_string(totals.worst_bound_ratio));
  RecordProperty("worst_finite_difference_error", std::to_string(totals.worst_fd_error));
  std::printf(
      "[%s] worst |simdnn - reference| / bound = %.3g, worst finite-difference error %.3g\n",
      isa_name(active_isa()), totals.worst_bound_ratio, totals.worst_fd_error);
}

INSTANTIATE_TEST_SUITE_P(SmallNets, NetworkGradient, ::testing::ValuesIn(small_cases()), case_name);

// Shapes that cross the GEMM register tiles and cache blocks of every ISA (odd widths, k beyond
// one tile, batch 1 and a full batch): outputs and gradients against the reference only (finite
// differences over ~1,700 parameters would dominate the suite's time for no extra coverage).
TEST(NetworkGradientLarge, CrossesKernelTilesAgainstReference) {
  const std::vector<std::size_t> widths = {37, 29, 17, 5};
  for (std::size_t batch : {std::size_t{1}, std::size_t{13}, std::size_t{33}}) {
    for (bool bias : {true, false}) {
      SCOPED_TRACE("batch " + std::to_string(batch) + (bias ? " bias" : " no bias"));
      network_options options;
      options.bias = bias;
      options.max_batch = 33;
      options.seed = 5;
      network net(widths, options);
      test_rng rng(99);
      if (bias) randomize_biases(net, rng);
      const std::vector<float> inputs = uniform_values(rng, batch * widths.front(), -2.0f, 2.0f);
      const std::vector<float> targets = uniform_values(rng, batch * widths.back(), 0.0f, 1.0f);
      const auto outputs = net.forward(inputs, batch);
      ASSERT_TRUE(outputs);
      ASSERT_EQ(net.backward(targets), status::ok);

      const reference_net ref = reference_net::of(net, options.reduction);
      const reference_forward pass = forward(ref, inputs, batch);
      const reference_gradients g = backward(ref, pass, targets);
      for (std::size_t i = 0; i < outputs.value.size(); ++i) {
        ASSERT_LE(std::fabs(outputs.value[i] - pass.a.back()[i]), 1.5 * pass.error.back()[i])
            << "output " << i;
      }
      for (std::size_t l = 0; l < net.layer_count(); ++l) {
        const auto dw = net.weight_gradients(l);
        for (std::size_t i = 0; i < dw.size(); ++i) {
          ASSERT_LE(std::fabs(dw[i] - g.weights[l][i]), 1.5 * g.weight_bounds[l][i] + 1e-30)
              << "layer " << l << " weight " << i;
        }
        const auto db = net.bias_gradients(l);
        for (std::size_t j = 0; j < db.size(); ++j) {
          ASSERT_LE(std::fabs(db[j] - g.biases[l][j]), 1.5 * g.bias_bounds[l][j] + 1e-30)
              << "layer " << l << " bias " << j;
        }
      }
    }
  }
}

// An identity-only network is linear: forward is exactly X W + b up to the GEMM bound, with
// weights and biases written through the public views.
TEST(NetworkForward, WrittenWeightsGiveTheExpectedAffineMap) {
  const std::vector<std::size_t> widths = {2, 3};
  network_options options;
  options.activations = {activation::identity};
  options.max_batch = 2;
  network net(widths, options);
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};  // 2 x 3
  std::copy(w.begin(), w.end(), net.weights(0).begin());
  const std::vector<float> b = {0.5f, -1, 2};
  std::copy(b.begin(), b.end(), net.biases(0).begin());
  const std::vector<float> x = {1, 0, -1, 2};  // rows (1, 0) and (-1, 2)
  const auto y = net.forward(x, 2);
  ASSERT_TRUE(y);
  // Small integers and halves: every float operation is exact.
  const std::vector<float> expected = {1.5f, 1, 5, 7.5f, 7, 11};
  EXPECT_EQ(std::vector<float>(y.value.begin(), y.value.end()), expected);
}

}  // namespace
}  // namespace simdnn::testing
