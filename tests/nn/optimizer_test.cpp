// tests/nn/optimizer_test.cpp — every optimizer's update against its formula (simdnn/network.hpp,
// "Optimizers") evaluated in double from the gradients the network computed, step after step (so
// the state — velocities, moments, bias corrections, RPROP step sizes — is checked too), and
// bitwise reproducibility of whole runs. Runs on the active ISA (registered once per ISA cap).
//
// Tolerance: the network updates in float, the reference in double from the same float
// gradients and the same starting parameters; each step differs by a few float roundings of the
// update, so |p_float - p_double| <= 1e-6 * max(1, |p|) + 1e-5 * |update|. A wrong formula (a
// missing bias correction, momentum applied twice, a wrong sign) is off by O(|update|).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

struct optimizer_case {
  const char* name;
  optimizer_options options;
};

optimizer_options make(optimizer_kind kind, float lr, float decay = 0.0f, bool nesterov = false) {
  optimizer_options o;
  o.kind = kind;
  o.learning_rate = lr;
  o.weight_decay = decay;
  o.nesterov = nesterov;
  return o;
}

std::vector<optimizer_case> optimizer_cases() {
  return {{"sgd", make(optimizer_kind::sgd, 0.5f)},
          {"sgd_decay", make(optimizer_kind::sgd, 0.5f, 0.01f)},
          {"momentum", make(optimizer_kind::momentum, 0.2f)},
          {"nesterov", make(optimizer_kind::momentum, 0.2f, 0.0f, true)},
          {"momentum_decay", make(optimizer_kind::momentum, 0.2f, 0.05f)},
          {"adam", make(optimizer_kind::adam, 0.01f)},
          {"adam_decay", make(optimizer_kind::adam, 0.01f, 0.1f)},
          {"adamw", make(optimizer_kind::adamw, 0.01f, 0.1f)},
          {"rprop", make(optimizer_kind::rprop, 0.0f)}};
}

// The reference optimizer in double, one state entry per visible parameter.
struct reference_optimizer {
  optimizer_options o;
  std::vector<double> first, second;
  std::uint64_t t = 0;

  void step(std::vector<double>& p, const std::vector<double>& g) {
    if (first.empty()) {
      first.assign(p.size(), 0.0);
      second.assign(p.size(), o.kind == optimizer_kind::rprop ? o.rprop_initial_step : 0.0);
    }
    ++t;
    const double lr = o.learning_rate, wd = o.weight_decay;
    for (std::size_t i = 0; i < p.size(); ++i) {
      switch (o.kind) {
        case optimizer_kind::sgd:
          p[i] -= lr * (g[i] + wd * p[i]);
          break;
        case optimizer_kind::momentum: {
          const double gi = g[i] + wd * p[i];
          first[i] = o.momentum * first[i] + gi;
          p[i] -= o.nesterov ? lr * (gi + o.momentum * first[i]) : lr * first[i];
          break;
        }
        case optimizer_kind::adam:
        case optimizer_kind::adamw: {
          double gi = g[i];
          if (o.kind == optimizer_kind::adamw) {
            p[i] -= lr * wd * p[i];
          } else {
            gi += wd * p[i];
          }
          first[i] = o.beta1 * first[i] + (1.0 - o.beta1) * gi;
          second[i] = o.beta2 * second[i] + (1.0 - o.beta2) * gi * gi;
          const double m_hat = first[i] / (1.0 - std::pow(static_cast<double>(o.beta1), t));
          const double v_hat = second[i] / (1.0 - std::pow(static_cast<double>(o.beta2), t));
          p[i] -= lr * m_hat / (std::sqrt(v_hat) + o.epsilon);
          break;
        }
        case optimizer_kind::rprop: {
          double gi = g[i];
          const double agreement = gi * first[i];
          if (agreement > 0) {
            second[i] = std::min(second[i] * o.rprop_increase, double{o.rprop_max_step});
          } else if (agreement < 0) {
            second[i] = std::max(second[i] * o.rprop_decrease, double{o.rprop_min_step});
            gi = 0.0;
          }
          if (gi > 0) p[i] -= second[i];
          if (gi < 0) p[i] += second[i];
          first[i] = gi;
          break;
        }
      }
    }
  }
};

std::vector<double> parameters_of(const network& net) {
  std::vector<double> p;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    p.insert(p.end(), net.weights(l).begin(), net.weights(l).end());
    p.insert(p.end(), net.biases(l).begin(), net.biases(l).end());
  }
  return p;
}

std::vector<double> gradients_of(const network& net) {
  std::vector<double> g;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    g.insert(g.end(), net.weight_gradients(l).begin(), net.weight_gradients(l).end());
    g.insert(g.end(), net.bias_gradients(l).begin(), net.bias_gradients(l).end());
  }
  return g;
}

class Optimizer : public ::testing::TestWithParam<optimizer_case> {};

network small_network(const optimizer_options& o, std::uint64_t seed = 5) {
  network_options options;
  options.activations = {activation::tanh, activation::identity};
  options.optimizer = o;
  options.max_batch = 8;
  options.seed = seed;
  return network(std::vector<std::size_t>{3, 5, 2}, options);
}

TEST_P(Optimizer, EveryStepFollowsTheFormula) {
  const optimizer_options& o = GetParam().options;
  network net = small_network(o);
  reference_optimizer reference{o, {}, {}, 0};
  test_rng rng(11);
  constexpr std::size_t batch = 6;
  std::vector<double> p = parameters_of(net);
  double worst = 0.0;
  for (int s = 0; s < 12; ++s) {
    std::vector<float> x(batch * 3), t(batch * 2);
    for (float& v : x) v = rng.uniform(-1.5f, 1.5f);
    for (float& v : t) v = rng.uniform(-1.0f, 1.0f);
    ASSERT_TRUE(net.forward(x, batch));
    ASSERT_EQ(net.backward(t), status::ok);
    const std::vector<double> g = gradients_of(net);
    // Start each step from the network's own (float) parameters: only this step's error counts.
    p = parameters_of(net);
    const std::vector<double> before = p;
    reference.step(p, g);
    ASSERT_EQ(net.step(), status::ok);
    const std::vector<double> got = parameters_of(net);
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double update = std::fabs(p[i] - before[i]);
      const double allowed = 1e-6 * std::max(1.0, std::fabs(p[i])) + 1e-5 * update;
      EXPECT_NEAR(got[i], p[i], allowed) << GetParam().name << " step " << s + 1 << " parameter "
                                         << i << " (update " << update << ")";
      if (update > 0) worst = std::max(worst, std::fabs(got[i] - p[i]) / allowed);
    }
  }
  EXPECT_EQ(net.optimizer_steps(), 12u);
  std::printf("[ %s ] %s: worst %.3f of the tolerance over 12 steps\n", isa_name(net.kernels()),
              GetParam().name, worst);
}

TEST_P(Optimizer, SameSeedGivesBitwiseTheSameRunAndResetRestartsIt) {
  const optimizer_options& o = GetParam().options;
  const auto run = [&](network& net) {
    test_rng rng(3);
    std::vector<float> losses;
    for (int s = 0; s < 20; ++s) {
      std::vector<float> x(8 * 3), t(8 * 2);
      for (float& v : x) v = rng.uniform(-1.5f, 1.5f);
      for (float& v : t) v = rng.uniform(-1.0f, 1.0f);
      const result<float> r = net.train_batch(x, t, 8);
      EXPECT_TRUE(r);
      losses.push_back(r.value);
    }
    return losses;
  };
  network first = small_network(o, 77);
  network second = small_network(o, 77);
  const std::vector<float> a = run(first), b = run(second);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(a[i]), std::bit_cast<std::uint32_t>(b[i])) << i;
  }
  EXPECT_EQ(parameters_of(first), parameters_of(second));
  // Optimizer state starts over, the weights stay: a run from here equals a fresh optimizer's.
  network third = small_network(o, 77);
  for (std::size_t l = 0; l < third.layer_count(); ++l) {
    std::copy(first.weights(l).begin(), first.weights(l).end(), third.weights(l).begin());
    std::copy(first.biases(l).begin(), first.biases(l).end(), third.biases(l).begin());
  }
  first.reset_optimizer();
  EXPECT_EQ(first.optimizer_steps(), 0u);
  EXPECT_EQ(run(first), run(third));
}

INSTANTIATE_TEST_SUITE_P(Every, Optimizer, ::testing::ValuesIn(optimizer_cases()),
                         [](const ::testing::TestParamInfo<optimizer_case>& param) {
                           return std::string(param.param.name);
                         });

TEST(OptimizerOptions, ImpossibleSettingsAreRejectedNamingThem) {
  const auto rejects = [](optimizer_options o, const char* word) {
    network_options options;
    options.optimizer = o;
    try {
      network net(std::vector<std::size_t>{2, 2}, options);
      ADD_FAILURE() << "accepted; expected an error naming " << word;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
    }
  };
  optimizer_options o;
  o.learning_rate = -1.0f;
  rejects(o, "learning_rate");
  o = {};
  o.beta2 = 1.0f;
  rejects(o, "beta2");
  o = {};
  o.momentum = std::nanf("");
  rejects(o, "momentum");
  o = {};
  o.rprop_decrease = 1.5f;
  rejects(o, "rprop_decrease");
  o = {};
  o.rprop_initial_step = 100.0f;
  rejects(o, "rprop_initial_step");
  o = {};
  o.kind = static_cast<optimizer_kind>(9);
  rejects(o, "kind");
}

TEST(LossOptions, LossesMustFitTheOutputLayer) {
  network_options options;
  options.activations = {activation::relu, activation::identity};
  options.loss = loss_function::softmax_cross_entropy;
  EXPECT_THROW(network(std::vector<std::size_t>{2, 3, 2}, options), std::invalid_argument);
  options.loss = loss_function::binary_cross_entropy;
  EXPECT_THROW(network(std::vector<std::size_t>{2, 3, 2}, options), std::invalid_argument);
  options.activations = {activation::softmax, activation::softmax};
  options.loss = loss_function::squared_error;
  EXPECT_THROW(network(std::vector<std::size_t>{2, 3, 2}, options), std::invalid_argument);
  options.activations = {activation::relu, activation::leaky_relu};
  options.activation_parameters = {0.0f, -0.5f};
  EXPECT_THROW(network(std::vector<std::size_t>{2, 3, 2}, options), std::invalid_argument);
  options.activation_parameters = {0.3f, 0.2f};  // relu takes none
  EXPECT_THROW(network(std::vector<std::size_t>{2, 3, 2}, options), std::invalid_argument);
  options.activation_parameters = {0.0f, 0.2f};
  const network ok(std::vector<std::size_t>{2, 3, 2}, options);
  EXPECT_EQ(ok.layer_activation_parameter(1), 0.2f);
}

// The cross-entropies read the logits, so their loss stays finite where the outputs round to 0
// or 1 (where -log y would be infinite) and their gradient stays y - t.
TEST(LossRange, CrossEntropiesAreFiniteForHugeLogits) {
  for (loss_function loss :
       {loss_function::softmax_cross_entropy, loss_function::binary_cross_entropy}) {
    network_options options;
    options.activations = {loss == loss_function::softmax_cross_entropy ? activation::softmax
                                                                        : activation::sigmoid};
    options.loss = loss;
    options.bias = false;
    options.reduction = loss_reduction::sum;
    network net(std::vector<std::size_t>{1, 2}, options);
    // Logits +-1e38: the outputs round to exactly 0 and 1, and the row is wrong by 2e38 in
    // logit, so both losses are 2e38 (finite in float), computed in double from the logits.
    net.weights(0)[0] = 1e38f;
    net.weights(0)[1] = -1e38f;
    const std::vector<float> x = {1.0f};
    const std::vector<float> t = {0.0f, 1.0f};
    ASSERT_TRUE(net.forward(x, 1));
    const result<float> big = net.loss(t);
    ASSERT_TRUE(big);
    EXPECT_TRUE(std::isfinite(big.value)) << loss_name(loss);
    EXPECT_NEAR(big.value, 2e38, 1e31) << loss_name(loss);
    ASSERT_EQ(net.backward(t), status::ok);
    EXPECT_TRUE(std::isfinite(net.weight_gradients(0)[0])) << loss_name(loss);
  }
}

}  // namespace
}  // namespace simdnn::testing
