// tests/nn/row_block_test.cpp — the fused row-block path (lib/kernels/row_block.hpp) that every
// network with widths <= 16 trains through, against its documented order of operations evaluated
// here in scalars: outputs and deltas as the network's sgemm computes them (one fma chain from +0
// per element, then + b), the gradients in 16 lane sums (lane l takes rows l, l + 16, ...) folded
// (l, l + 8), +4, +2, +1. The comparison is bitwise, so any other order fails it; the test also
// checks that its data tell the lane order from a plain sum over the rows (else it could not fail).
// Activations and their derivatives come from the public array kernels, which are the network's
// own. SSE2 has no fma: there, as in the library, an fma step is a product and a sum.
// Runs on the active ISA (registered once per ISA cap, like the rest of nn_network_test).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "simdnn/activation.hpp"
#include "simdnn/network.hpp"
#include "simdnn/random.hpp"

namespace simdnn::testing {
namespace {

// One step of an fma chain as the network's kernels take it on `which`.
float chain_step(isa which, float a, float b, float acc) {
  if (which == isa::sse2) {
    const float product = a * b;  // -ffp-contract=off: two roundings, as the SSE2 kernels
    return product + acc;
  }
  return std::fma(a, b, acc);
}

float fold16(float (&lane)[16]) {
  for (std::size_t half = 8; half >= 1; half /= 2) {
    for (std::size_t l = 0; l < half; ++l) lane[l] = lane[l] + lane[l + half];
  }
  return lane[0];
}

bool same_bits(float a, float b) {
  return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

struct emulated_pass {
  std::vector<std::vector<float>> values;    // per layer: rows x outputs (A; the output layer's Y)
  std::vector<std::vector<float>> dw, db;    // lane order
  std::vector<std::vector<float>> dw_plain;  // one chain over the rows, for the discrimination
  double loss_sum = 0.0;                     // the squared error in its eight-lane order
};

// Widths, activations (hidden: sigmoid/relu/tanh...; output identity or sigmoid), MSE with sum
// reduction: dL/dY = 2 (y - t), times y (1 - y) (sigmoid_delta) for a sigmoid output. The loss:
// eight partial sums in double over i = l mod 8, then 0 + p0 + ... + p7.
emulated_pass emulate(const network& net, const std::vector<float>& x, const std::vector<float>& t,
                      std::size_t rows) {
  const isa which = net.kernels();
  const std::size_t layers = net.layer_count();
  emulated_pass e;
  std::vector<float> in = x;
  for (std::size_t l = 0; l < layers; ++l) {
    const std::size_t inputs = net.widths()[l], outputs = net.widths()[l + 1];
    const std::span<const float> w = net.weights(l);
    const std::span<const float> b = net.biases(l);
    std::vector<float> z(rows * outputs);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < outputs; ++j) {
        float acc = 0.0f;
        for (std::size_t i = 0; i < inputs; ++i) {
          acc = chain_step(which, in[r * inputs + i], w[i * outputs + j], acc);
        }
        z[r * outputs + j] = b.empty() ? acc : acc + b[j];
      }
    }
    std::vector<float> a(z.size());
    switch (net.layer_activation(l)) {
      case activation::sigmoid:
        simdnn::sigmoid(z, a);
        break;
      case activation::sigmoid_fast:
        simdnn::sigmoid_fast(z, a);
        break;
      case activation::relu:
        simdnn::relu(z, a);
        break;
      case activation::leaky_relu:
        simdnn::leaky_relu(z, a, net.layer_activation_parameter(l));
        break;
      case activation::tanh:
        simdnn::tanh(z, a);
        break;
      default:
        a = z;  // identity
        break;
    }
    e.values.push_back(a);
    in = a;
  }
  e.dw.resize(layers);
  e.db.resize(layers);
  e.dw_plain.resize(layers);
  // Output deltas: scale (y - t), scale 2 for the summed squared error; identity output.
  const std::size_t out_width = net.output_width();
  std::vector<float> d(rows * out_width);
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = 2.0f * (e.values.back()[k] - t[k]);
  const activation output = net.layer_activation(layers - 1);
  if (output == activation::sigmoid || output == activation::sigmoid_fast) {
    const std::vector<float> g = d;
    simdnn::sigmoid_delta(g, e.values.back(), d);
  }
  double partial[8] = {};
  for (std::size_t k = 0; k < d.size(); ++k) {
    const double error = static_cast<double>(e.values.back()[k]) - static_cast<double>(t[k]);
    const double square = error * error;
    partial[k % 8] = partial[k % 8] + square;
  }
  for (double p : partial) e.loss_sum += p;
  for (std::size_t l = layers; l-- > 0;) {
    const std::size_t inputs = net.widths()[l], outputs = net.widths()[l + 1];
    const std::vector<float>& a = l == 0 ? x : e.values[l - 1];
    e.dw[l].resize(inputs * outputs);
    e.dw_plain[l].resize(inputs * outputs);
    for (std::size_t i = 0; i < inputs; ++i) {
      for (std::size_t j = 0; j < outputs; ++j) {
        float lane[16] = {};
        float plain = 0.0f;
        for (std::size_t r = 0; r < rows; ++r) {
          lane[r % 16] = chain_step(which, a[r * inputs + i], d[r * outputs + j], lane[r % 16]);
          plain = chain_step(which, a[r * inputs + i], d[r * outputs + j], plain);
        }
        e.dw[l][i * outputs + j] = fold16(lane);
        e.dw_plain[l][i * outputs + j] = plain;
      }
    }
    if (net.has_bias()) {
      e.db[l].resize(outputs);
      for (std::size_t j = 0; j < outputs; ++j) {
        float lane[16] = {};
        for (std::size_t r = 0; r < rows; ++r) lane[r % 16] = lane[r % 16] + d[r * outputs + j];
        e.db[l][j] = fold16(lane);
      }
    }
    if (l == 0) break;
    // The layer below: g = chain over j of fma(d_j, w_ij), then g * f'(A).
    const std::span<const float> w = net.weights(l);
    std::vector<float> g(rows * inputs);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t i = 0; i < inputs; ++i) {
        float acc = 0.0f;
        for (std::size_t j = 0; j < outputs; ++j) {
          acc = chain_step(which, d[r * outputs + j], w[i * outputs + j], acc);
        }
        g[r * inputs + i] = acc;
      }
    }
    const std::vector<float>& below = e.values[l - 1];
    std::vector<float> next(g.size());
    const float slope = net.layer_activation_parameter(l - 1);
    switch (net.layer_activation(l - 1)) {
      case activation::sigmoid:
      case activation::sigmoid_fast:
        simdnn::sigmoid_delta(g, below, next);
        break;
      case activation::relu:
        for (std::size_t k = 0; k < g.size(); ++k) next[k] = below[k] > 0.0f ? g[k] : 0.0f;
        break;
      case activation::leaky_relu:
        for (std::size_t k = 0; k < g.size(); ++k) {
          next[k] = below[k] > 0.0f ? g[k] : slope * g[k];
        }
        break;
      case activation::tanh:
        // g (1 - a^2), the slope rounded once: an fma, or on SSE2 in double (exact there).
        for (std::size_t k = 0; k < g.size(); ++k) {
          const float ak = below[k];
          const float one_minus_a2 =
              which == isa::sse2
                  ? static_cast<float>(1.0 - static_cast<double>(ak) * static_cast<double>(ak))
                  : std::fma(-ak, ak, 1.0f);
          next[k] = g[k] * one_minus_a2;
        }
        break;
      default:
        next = g;  // identity
        break;
    }
    d = next;
  }
  return e;
}

struct row_block_case {
  std::vector<std::size_t> widths;
  std::vector<activation> activations;
  bool bias;
  std::size_t rows;
};

void expect_documented_order(const row_block_case& c) {
  network_options options;
  options.activations = c.activations;
  options.bias = c.bias;
  options.loss = loss_function::squared_error;
  options.reduction = loss_reduction::sum;
  options.max_batch = 160;
  options.seed = 17;
  network net(c.widths, options);
  splitmix64 rng(c.rows * 31 + c.widths.size());
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (float& b : net.biases(l)) b = rng.uniform(-0.5f, 0.5f);
  }
  std::vector<float> x(c.rows * net.input_width()), t(c.rows * net.output_width());
  for (float& v : x) v = rng.uniform(-3.0f, 3.0f);
  for (float& v : t) v = rng.uniform(-1.0f, 1.0f);

  const emulated_pass e = emulate(net, x, t, c.rows);
  const auto y = net.forward(x, c.rows);
  ASSERT_EQ(y.error, status::ok);
  ASSERT_EQ(net.backward(t), status::ok);
  const auto loss = net.loss(t);
  ASSERT_EQ(loss.error, status::ok);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(loss.value),
            std::bit_cast<std::uint32_t>(static_cast<float>(e.loss_sum)))
      << "loss " << loss.value << ", documented order " << e.loss_sum;

  std::size_t mismatches = 0;
  for (std::size_t k = 0; k < y.value.size(); ++k) {
    if (!same_bits(y.value[k], e.values.back()[k]) && ++mismatches <= 5) {
      ADD_FAILURE() << "output " << k << ": network " << y.value[k] << ", documented order "
                    << e.values.back()[k];
    }
  }
  bool order_matters = false;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    const std::span<const float> dw = net.weight_gradients(l);
    for (std::size_t k = 0; k < dw.size(); ++k) {
      if (!same_bits(dw[k], e.dw[l][k]) && ++mismatches <= 5) {
        ADD_FAILURE() << "dW[" << l << "][" << k << "]: network " << dw[k]
                      << ", documented lane order " << e.dw[l][k] << " (one chain over the rows "
                      << e.dw_plain[l][k] << ")";
      }
      order_matters = order_matters || !same_bits(e.dw[l][k], e.dw_plain[l][k]);
    }
    if (!c.bias) continue;
    const std::span<const float> db = net.bias_gradients(l);
    for (std::size_t k = 0; k < db.size(); ++k) {
      if (!same_bits(db[k], e.db[l][k]) && ++mismatches <= 5) {
        ADD_FAILURE() << "db[" << l << "][" << k << "]: network " << db[k]
                      << ", documented lane order " << e.db[l][k];
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << isa_name(net.kernels());
  // More than 16 rows: the lane sums and one chain must round differently somewhere, or this
  // test could not tell them apart.
  if (c.rows > 16) {
    EXPECT_TRUE(order_matters) << "the data do not discriminate the orders";
  }
}

TEST(RowBlock, FollowsTheDocumentedOrderIrisShape) {
  expect_documented_order(
      {{4, 10, 3, 3}, {activation::sigmoid, activation::sigmoid, activation::identity}, true, 37});
}

// The output layer's activation, loss and deltas through the fused loss pass (a sigmoid output's
// y (1 - y) taken with the squared error), over Iris's 150 rows (nine whole blocks and one of 6),
// whole blocks only, and a 16-wide output (a block's transposes at the widest).
TEST(RowBlock, FollowsTheDocumentedOrderSigmoidOutput) {
  for (std::size_t rows : {std::size_t{1}, std::size_t{32}, std::size_t{150}}) {
    SCOPED_TRACE(rows);
    expect_documented_order({{4, 10, 3}, {activation::sigmoid, activation::sigmoid}, true, rows});
  }
  expect_documented_order({{3, 5, 16}, {activation::tanh, activation::sigmoid_fast}, true, 35});
  expect_documented_order({{16, 16, 16}, {activation::relu, activation::sigmoid}, false, 47});
}

TEST(RowBlock, FollowsTheDocumentedOrderOneFullBlockAndOneRow) {
  for (std::size_t rows : {std::size_t{1}, std::size_t{16}, std::size_t{17}, std::size_t{40}}) {
    SCOPED_TRACE(rows);
    expect_documented_order(
        {{5, 16, 7, 2}, {activation::relu, activation::sigmoid, activation::identity}, true, rows});
  }
}

TEST(RowBlock, FollowsTheDocumentedOrderEveryHiddenActivation) {
  for (activation hidden :
       {activation::sigmoid_fast, activation::tanh, activation::leaky_relu, activation::identity}) {
    SCOPED_TRACE(activation_name(hidden));
    expect_documented_order({{6, 9, 12, 4}, {hidden, hidden, activation::identity}, true, 35});
  }
}

TEST(RowBlock, FollowsTheDocumentedOrderWithoutBiasOneLayer) {
  expect_documented_order({{16, 1}, {activation::identity}, false, 33});
  expect_documented_order({{3, 16, 1}, {activation::relu, activation::identity}, false, 39});
}

// Rows past the batch in the last block must add exact zeros: with identity layers and huge
// weights their activations (from zero inputs) would overflow to inf, and inf times a zero delta
// is NaN. The real row stays finite, so every gradient must too.
TEST(RowBlock, PaddingRowsNeverReachTheGradients) {
  network_options options;
  options.activations = {activation::identity, activation::identity, activation::identity};
  options.max_batch = 3;
  network net(std::vector<std::size_t>{1, 1, 1, 1}, options);
  net.weights(0)[0] = 1e30f;
  net.biases(0)[0] = 1e30f;
  net.weights(1)[0] = 1e30f;
  net.weights(2)[0] = 1e-30f;
  const std::vector<float> x = {-1.0f}, t = {0.5f};
  const auto y = net.forward(x, 1);
  ASSERT_EQ(y.error, status::ok);
  ASSERT_TRUE(std::isfinite(y.value[0]));
  ASSERT_EQ(net.backward(t), status::ok);
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (float g : net.weight_gradients(l)) EXPECT_TRUE(std::isfinite(g)) << "layer " << l;
    for (float g : net.bias_gradients(l)) EXPECT_TRUE(std::isfinite(g)) << "layer " << l;
  }
}

// A lone row's outputs are bitwise its outputs inside any batch (every row takes one chain).
TEST(RowBlock, OneRowEqualsItsRowInABatch) {
  network_options options;
  options.activations = {activation::sigmoid, activation::tanh, activation::identity};
  options.max_batch = 37;
  network net(std::vector<std::size_t>{4, 10, 3, 2}, options);
  splitmix64 rng(99);
  std::vector<float> x(37 * 4);
  for (float& v : x) v = rng.uniform(-2.0f, 2.0f);
  const auto batch = net.forward(x, 37);
  ASSERT_EQ(batch.error, status::ok);
  const std::vector<float> together(batch.value.begin(), batch.value.end());
  for (std::size_t r = 0; r < 37; ++r) {
    const auto alone = net.forward(std::span<const float>(x).subspan(r * 4, 4), 1);
    ASSERT_EQ(alone.error, status::ok);
    for (std::size_t j = 0; j < 2; ++j) {
      EXPECT_TRUE(same_bits(alone.value[j], together[r * 2 + j])) << "row " << r << " output " << j;
    }
  }
}

}  // namespace
}  // namespace simdnn::testing
