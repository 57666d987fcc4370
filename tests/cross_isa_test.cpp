// The cross-ISA reproducibility contract (README, "Reproducibility"): the same inputs give bitwise
// the same results on every FMA ISA (AVX2+FMA and AVX-512). Each test runs every FMA ISA this
// CPU/OS can run on the same inputs and compares every output bit, NaN payloads and padding
// included: the sgemm grid (every path, transpose, alpha/beta, edges of both ISAs' tiles and of
// KC, the thread pool's column splits), the fused dense-layer forward (bias and activation in the
// SGEMM's stores), the elementwise kernels (sigmoid, tanh, relu, leaky_relu
// and their derivatives) on chosen values, softmax and its delta on random rows, 1,000 training
// steps of a 4-10-3 and a 64-32-10 network, and the predictor on random rows. (All 2^32 floats
// through the elementwise kernels: cross_isa_exhaustive_test.)
//
// With fewer than two FMA ISAs there is nothing to compare: every test is *skipped*, saying which
// ISAs this CPU/OS runs, never passed. What such a machine can still check is in sgemm_test
// (every path gives the blocked order's bits, any column split gives the same bits) and in
// packaging.fp_contract_* (no silent contraction): the premises this contract follows from.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "model/model_test_support.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"
#include "test_support.hpp"

namespace simdnn {
namespace {

using kernels::kernel_table;
using testing::test_rng;

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::string bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  char text[64];
  std::snprintf(text, sizeof text, "%.9g (0x%08x)", static_cast<double>(value), bits);
  return text;
}

// The first index where two arrays differ bitwise, described; empty when identical.
std::string first_difference(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size()) return "sizes differ";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      return "index " + std::to_string(i) + ": " + bits_of(a[i]) + " vs " + bits_of(b[i]);
    }
  }
  return {};
}

class CrossIsa : public ::testing::Test {
 protected:
  void SetUp() override {
    for (isa which : {isa::avx2, isa::avx512}) {
      if (const kernel_table* table = kernels::kernels_for(which)) tables_.push_back(table);
    }
    if (tables_.size() < 2) {
      std::string runs;
      for (isa which : supported_isas()) runs += std::string(" ") + isa_name(which);
      GTEST_SKIP() << "needs two FMA ISAs (avx2 and avx512) to compare; this CPU/OS runs:" << runs;
    }
  }
  std::vector<const kernel_table*> tables_;
};

// ---- SGEMM ----

struct gemm_case {
  bool ta, tb;
  std::size_t m, n, k;
  float alpha, beta;
  std::size_t pad;
};

std::string describe(const gemm_case& g) {
  return std::string("op_a=") + (g.ta ? "T" : "N") + " op_b=" + (g.tb ? "T" : "N") +
         " m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " alpha=" + std::to_string(g.alpha) + " beta=" + std::to_string(g.beta) +
         " pad=" + std::to_string(g.pad);
}

struct gemm_operands {
  std::size_t lda, ldb, ldc;
  std::vector<float> a, b, c;
};

// Values in [-1, 1) everywhere, padding included (it must come out unchanged), with exact zeros
// of both signs in A and B (a zero product's sign is where a*b and fma(a, b, +0) differ) and
// every 97th element of C a NaN (beta == 0 must not read it; beta != 0 must propagate the same
// NaN on every ISA).
gemm_operands make_operands(const gemm_case& g, std::uint64_t seed) {
  test_rng rng(seed);
  gemm_operands o;
  const std::size_t a_rows = g.ta ? g.k : g.m, a_cols = g.ta ? g.m : g.k;
  const std::size_t b_rows = g.tb ? g.n : g.k, b_cols = g.tb ? g.k : g.n;
  o.lda = a_cols + g.pad;
  o.ldb = b_cols + g.pad;
  o.ldc = g.n + g.pad;
  o.a.assign(a_rows * o.lda + 1, 7.0f);
  o.b.assign(b_rows * o.ldb + 1, 7.0f);
  o.c.assign(g.m * o.ldc + 1, 7.0f);
  for (std::size_t i = 0; i < o.a.size(); ++i) {
    o.a[i] = i % 11 == 3 ? -0.0f : i % 13 == 4 ? 0.0f : rng.uniform(-1.0f, 1.0f);
  }
  for (std::size_t i = 0; i < o.b.size(); ++i) {
    o.b[i] = i % 7 == 2 ? -0.0f : rng.uniform(-1.0f, 1.0f);
  }
  for (std::size_t i = 0; i < o.c.size(); ++i) {
    o.c[i] = i % 97 == 5 ? std::numeric_limits<float>::quiet_NaN() : rng.uniform(-1.0f, 1.0f);
  }
  return o;
}

std::vector<float> run_gemm(const kernel_table& table, kernels::sgemm_fn kernel, const gemm_case& g,
                            const gemm_operands& o) {
  std::vector<float> c = o.c;
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table.blocking, g.m, g.n, g.k) + 1);
  kernel(g.ta, g.tb, g.m, g.n, g.k, g.alpha, o.a.data(), o.lda, o.b.data(), o.ldb, g.beta, c.data(),
         o.ldc, workspace.data() + 1);
  return c;
}

// Every case through every path of every FMA ISA: the automatic choice, A packed, A unpacked and
// the small path, each compared with the first ISA's result of the same path.
void expect_same_on_every_isa(const std::vector<const kernel_table*>& tables,
                              const std::vector<gemm_case>& cases) {
  std::size_t compared = 0;
  std::uint64_t seed = 1;
  for (const gemm_case& g : cases) {
    const gemm_operands o = make_operands(g, seed++);
    for (int path = 0; path < 4; ++path) {
      const char* names[] = {"automatic", "A packed", "A unpacked", "small path"};
      auto kernel_of = [path](const kernel_table& t) {
        const kernels::sgemm_fn fns[] = {t.sgemm, t.sgemm_packed_a, t.sgemm_unpacked_a,
                                         t.sgemm_small};
        return fns[path];
      };
      const std::vector<float> first = run_gemm(*tables[0], kernel_of(*tables[0]), g, o);
      for (std::size_t t = 1; t < tables.size(); ++t) {
        const std::vector<float> other = run_gemm(*tables[t], kernel_of(*tables[t]), g, o);
        const std::string difference = first_difference(first, other);
        ASSERT_TRUE(difference.empty())
            << describe(g) << " [" << names[path] << "] " << tables[0]->name << " vs "
            << tables[t]->name << ": C " << difference;
        ++compared;
      }
    }
  }
  std::printf("[ cross-ISA ] %zu sgemm results compared bitwise\n", compared);
}

constexpr bool kTransposes[] = {false, true};
constexpr float kAlphas[] = {0.0f, 1.0f, -0.7f};  // negative: a zero product keeps its sign
constexpr float kBetas[] = {0.0f, 1.0f, 1.3f};

TEST_F(CrossIsa, SgemmSmallShapesEveryTransposeAlphaBeta) {
  std::vector<gemm_case> cases;
  const std::size_t sizes[] = {0, 1, 2, 3, 5, 9, 17};
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : sizes)
        for (std::size_t n : sizes)
          for (std::size_t k : sizes)
            for (float alpha : kAlphas)
              for (float beta : kBetas) cases.push_back({ta, tb, m, n, k, alpha, beta, 3});
  expect_same_on_every_isa(tables_, cases);
}

TEST_F(CrossIsa, SgemmEveryIsasTileAndKcEdges) {
  // The register-tile and vector edges of every FMA ISA (MR 6 and 12, NR 16 and 32, widths 8 and
  // 16) and the KC edges, so each element crosses a different tile on each ISA.
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes)
      for (std::size_t m : {1, 5, 7, 12, 13, 25, 145})
        for (std::size_t n : {7, 9, 16, 17, 31, 33, 65})
          for (std::size_t k : {10, 255, 257, 513}) {
            cases.push_back({ta, tb, m, n, k, 1.0f, 0.0f, 0});
            cases.push_back({ta, tb, m, n, k, 0.7f, 1.3f, 5});
          }
  expect_same_on_every_isa(tables_, cases);
}

TEST_F(CrossIsa, SgemmSingleRowsNetworkShapesAndLargeProducts) {
  std::vector<gemm_case> cases;
  for (bool ta : kTransposes)
    for (bool tb : kTransposes) {
      // One row of C: the 16-lane dot products (op(B) = B^T) and the row tiles (op(B) = B).
      for (std::size_t n : {1, 3, 31, 64, 100})
        for (std::size_t k : {1, 4, 15, 16, 17, 33, 300, 2049})
          for (float beta : kBetas) cases.push_back({ta, tb, 1, n, k, 0.7f, beta, 1});
      // A small network's forward and backward products (Iris 4-10-3, 784-256-128-10).
      for (float beta : {0.0f, 1.0f}) {
        cases.push_back({ta, tb, 150, 10, 4, 1.0f, beta, 0});
        cases.push_back({ta, tb, 150, 3, 10, 1.0f, beta, 0});
        cases.push_back({ta, tb, 150, 1, 3, 1.0f, beta, 0});
        cases.push_back({ta, tb, 4, 10, 150, 1.0f, beta, 0});
        cases.push_back({ta, tb, 64, 256, 784, 1.0f, beta, 0});
        cases.push_back({ta, tb, 64, 784, 256, 1.0f, beta, 0});
        cases.push_back({ta, tb, 256, 128, 64, 1.0f, beta, 0});
      }
      cases.push_back({ta, tb, 301, 203, 97, 0.7f, 1.3f, 0});
      cases.push_back({ta, tb, 200, 2100, 300, 0.7f, 1.3f, 2});  // NC and KC blocks
    }
  expect_same_on_every_isa(tables_, cases);
}

TEST_F(CrossIsa, SgemmThreadPoolColumnSplits) {
  // The pool gives each thread whole NR-wide column shares (lib/sgemm.cpp): NR differs by ISA, so
  // the shares differ; every element must still be bitwise the unsplit result on every ISA.
  const gemm_case shapes[] = {{false, false, 256, 256, 256, 0.7f, 1.3f, 0},
                              {true, false, 301, 203, 97, 0.7f, 1.3f, 0},
                              {false, true, 129, 517, 70, 0.7f, 1.3f, 0},
                              {true, true, 160, 160, 170, 0.7f, 1.3f, 0},
                              {false, false, 1, 4096, 1024, 1.0f, 0.0f, 0}};
  std::uint64_t seed = 100;
  for (const gemm_case& g : shapes) {
    const gemm_operands o = make_operands(g, seed++);
    const std::vector<float> whole = run_gemm(*tables_[0], tables_[0]->sgemm, g, o);
    for (const kernel_table* table : tables_) {
      for (std::size_t parts : {2, 3}) {
        const std::size_t step = table->blocking.nr;
        const std::size_t share = (g.n / parts + step - 1) / step * step;
        std::vector<float> c = o.c;
        std::vector<float> workspace(
            kernels::sgemm_workspace_floats(table->blocking, g.m, g.n, g.k) + 1);
        for (std::size_t first = 0; first < g.n; first += share) {
          const std::size_t last = first + share < g.n ? first + share : g.n;
          const float* b = g.tb ? o.b.data() + first * o.ldb : o.b.data() + first;
          table->sgemm(g.ta, g.tb, g.m, last - first, g.k, g.alpha, o.a.data(), o.lda, b, o.ldb,
                       g.beta, c.data() + first, o.ldc, workspace.data() + 1);
        }
        const std::string difference = first_difference(whole, c);
        ASSERT_TRUE(difference.empty())
            << describe(g) << ": " << table->name << " in " << parts << " column shares vs unsplit "
            << tables_[0]->name << ": C " << difference;
      }
    }
  }
}

// ---- Elementwise kernels on chosen values (every float: cross_isa_exhaustive_test) ----

std::vector<float> special_values() {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f,
                               -1.0f,
                               0.5f,
                               -0.5f,
                               18.0f,
                               -18.0f,
                               -87.33654f,
                               -87.5f,
                               -88.0f,
                               88.0f,
                               1e-30f,
                               -1e-30f,
                               1e-45f,
                               -1e-45f,
                               std::numeric_limits<float>::min(),
                               -std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::max(),
                               -std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(),
                               -std::numeric_limits<float>::quiet_NaN()};
  const std::uint32_t payload_nans[] = {0x7FC0DEADu, 0xFFC0BEEFu, 0x7F800001u, 0xFF800001u};
  for (std::uint32_t bits : payload_nans) {
    float nan;
    std::memcpy(&nan, &bits, sizeof nan);
    values.push_back(nan);
  }
  test_rng rng(5);
  for (int i = 0; i < 4000; ++i) values.push_back(rng.uniform(-100.0f, 100.0f));
  for (int i = 0; i < 4000; ++i) values.push_back(rng.uniform(-6.0f, 6.0f));
  for (int i = 0; i < 1000; ++i) values.push_back(rng.uniform(0.0f, 1.0f));
  return values;
}

// The fused dense-layer forward (the table's sgemm_bias_activation: bias and activation in the
// SGEMM's stores): Z and A for every elementwise activation, with and without a bias, on shapes
// across both ISAs' tiles, the narrow tiles and one, two and three KC blocks, and a tiny product
// (the unfused fallback).
TEST_F(CrossIsa, FusedDenseForwardEveryActivation) {
  struct shape {
    std::size_t m, n, k;
  };
  const shape shapes[] = {{13, 37, 300},  {97, 70, 513},   {29, 10, 600}, {31, 7, 257},
                          {40, 300, 260}, {256, 128, 256}, {5, 20, 30}};
  const activation activations[] = {activation::identity,     activation::sigmoid,
                                    activation::sigmoid_fast, activation::tanh,
                                    activation::relu,         activation::leaky_relu};
  for (const shape& s : shapes) {
    test_rng rng(s.m + 7 * s.n + 13 * s.k);
    std::vector<float> x(s.m * s.k), w(s.k * s.n), b(s.n);
    for (float& v : x) v = rng.uniform(0.0f, 1.0f);
    for (float& v : w) v = rng.uniform(-0.3f, 0.3f);
    for (float& v : b) v = rng.uniform(-2.0f, 2.0f);
    for (activation act : activations) {
      for (bool bias : {true, false}) {
        std::vector<float> first_z, first_a;
        for (const kernel_table* k : tables_) {
          std::vector<float> z(s.m * s.n), a(s.m * s.n);
          std::vector<float> workspace(kernels::sgemm_workspace_floats(k->blocking, s.m, s.n, s.k) +
                                       16);
          k->sgemm_bias_activation(s.m, s.n, s.k, x.data(), s.k, w.data(), s.n,
                                   bias ? b.data() : nullptr, z.data(), s.n, a.data(), s.n, act,
                                   0.03f, workspace.data());
          if (k == tables_[0]) {
            first_z = z;
            first_a = a;
            continue;
          }
          const std::string what = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                                   std::to_string(s.k) + " " + activation_name(act) +
                                   (bias ? " with bias, " : " without bias, ") + tables_[0]->name +
                                   " vs " + k->name + ": ";
          ASSERT_TRUE(same_bits(first_z, z)) << what << "Z " << first_difference(first_z, z);
          ASSERT_TRUE(same_bits(first_a, a)) << what << "A " << first_difference(first_a, a);
        }
      }
    }
  }
}

TEST_F(CrossIsa, ElementwiseKernelsOnSpecialAndRandomValuesAtEveryLength) {
  const std::vector<float> x = special_values();
  std::vector<float> g(x.size());
  test_rng rng(6);
  for (float& v : g) v = rng.uniform(-2.0f, 2.0f);
  // Every length up to 70 (tails and the two-vector loops of both widths), the whole array, and
  // offsets that move each value to another lane.
  for (std::size_t offset : {0, 1, 5, 13}) {
    for (std::size_t n = 0; n <= 70 || n == x.size() - offset;
         n = n < 70 ? n + 1 : x.size() - offset) {
      const auto run = [&](const kernel_table& t, int kernel) {
        std::vector<float> y(n, 3.0f);
        const float* in = x.data() + offset;
        const float* gin = g.data() + offset;
        switch (kernel) {
          case 0:
            t.sigmoid(in, y.data(), n);
            break;
          case 1:
            t.sigmoid_fast(in, y.data(), n);
            break;
          case 2:
            t.sigmoid_derivative(in, y.data(), n);
            break;
          case 3:
            t.sigmoid_delta(gin, in, y.data(), n);
            break;
          case 4:
            t.tanh(in, y.data(), n);
            break;
          case 5:
            t.tanh_delta(gin, in, y.data(), n);
            break;
          case 6:
            t.relu(in, y.data(), n);
            break;
          case 7:
            t.relu_delta(gin, in, y.data(), n);
            break;
          case 8:
            t.leaky_relu(in, y.data(), n, 0.01f);
            break;
          default:
            t.leaky_relu_delta(gin, in, y.data(), n, 0.3f);
            break;
        }
        return y;
      };
      const char* names[] = {
          "sigmoid",    "sigmoid_fast", "sigmoid_derivative", "sigmoid_delta", "tanh",
          "tanh_delta", "relu",         "relu_delta",         "leaky_relu",    "leaky_relu_delta"};
      for (int kernel = 0; kernel < 10; ++kernel) {
        const std::vector<float> first = run(*tables_[0], kernel);
        for (std::size_t t = 1; t < tables_.size(); ++t) {
          const std::string difference = first_difference(first, run(*tables_[t], kernel));
          ASSERT_TRUE(difference.empty())
              << names[kernel] << " n=" << n << " offset=" << offset << " " << tables_[0]->name
              << " vs " << tables_[t]->name << ": " << difference;
        }
      }
      if (n == x.size() - offset) break;
    }
  }
}

TEST_F(CrossIsa, SoftmaxAndItsDeltaOnRandomRowsOfEveryWidth) {
  // Widths around both ISAs' vector widths (tails at every lane), logits from nearly uniform to
  // mostly underflowing, rows with NaN, ±inf and ±FLT_MAX.
  test_rng rng(7);
  for (std::size_t cols : {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 31, 33, 100}) {
    for (float scale : {0.5f, 10.0f, 100.0f}) {
      const std::size_t rows = 23;
      std::vector<float> x(rows * cols), g(rows * cols);
      for (float& v : x) v = rng.uniform(-scale, scale);
      for (float& v : g) v = rng.uniform(-1.0f, 1.0f);
      x[cols] = std::numeric_limits<float>::max();
      x[2 * cols] = -std::numeric_limits<float>::max();
      x[3 * cols] = -std::numeric_limits<float>::infinity();
      x[4 * cols + cols / 2] = std::numeric_limits<float>::quiet_NaN();
      const auto run = [&](const kernel_table& t, bool delta) {
        std::vector<float> a(x.size());
        t.softmax(x.data(), a.data(), rows, cols);
        if (!delta) return a;
        std::vector<float> d(x.size());
        t.softmax_delta(g.data(), a.data(), d.data(), rows, cols);
        return d;
      };
      for (bool delta : {false, true}) {
        const std::vector<float> first = run(*tables_[0], delta);
        for (std::size_t t = 1; t < tables_.size(); ++t) {
          const std::string difference = first_difference(first, run(*tables_[t], delta));
          ASSERT_TRUE(difference.empty())
              << (delta ? "softmax_delta" : "softmax") << " cols=" << cols << " scale=" << scale
              << " " << tables_[0]->name << " vs " << tables_[t]->name << ": " << difference;
        }
      }
    }
  }
}

// ---- Training and the predictor ----

// `steps` steps of minibatch SGD on fixed random data; returns every weight and bias, in order.
std::vector<float> train(isa which, std::vector<std::size_t> widths,
                         std::vector<activation> activations, std::size_t steps, bool standardize) {
  network_options options;
  options.kernels = which;
  options.activations = std::move(activations);
  options.max_batch = 32;
  options.seed = 11;
  network net(widths, options);
  EXPECT_EQ(net.kernels(), which);
  const std::size_t in = widths.front(), out = widths.back(), batch = 32, batches = 8;
  test_rng rng(12);
  std::vector<float> inputs(batches * batch * in), targets(batches * batch * out);
  for (float& v : inputs) v = rng.uniform(-3.0f, 3.0f);
  for (std::size_t r = 0; r < batches * batch; ++r) {
    targets[r * out + static_cast<std::size_t>(rng.next() % out)] = 1.0f;  // one-hot
  }
  if (standardize) {
    const std::vector<float> mean(in, 0.25f), stddev(in, 1.5f);
    net.set_input_standardization(mean, stddev);
  }
  for (std::size_t s = 0; s < steps; ++s) {
    const std::size_t which_batch = s % batches;
    const auto loss = net.train_batch(
        std::span(inputs).subspan(which_batch * batch * in, batch * in),
        std::span(targets).subspan(which_batch * batch * out, batch * out), batch, 0.2f);
    EXPECT_TRUE(loss) << "step " << s;
    if (!loss) break;
  }
  std::vector<float> parameters;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    parameters.insert(parameters.end(), net.weights(l).begin(), net.weights(l).end());
    parameters.insert(parameters.end(), net.biases(l).begin(), net.biases(l).end());
  }
  // The forward pass of a last batch as well: the outputs, not only the weights, must agree.
  const auto y = net.forward(std::span(inputs).first(batch * in), batch);
  EXPECT_TRUE(y);
  if (y) parameters.insert(parameters.end(), y.value.begin(), y.value.end());
  return parameters;
}

TEST_F(CrossIsa, ThousandTrainingStepsGiveBitwiseTheSameNetwork) {
  struct shape {
    std::vector<std::size_t> widths;
    std::vector<activation> activations;
    bool standardize;
  };
  const shape shapes[] = {
      {{4, 10, 3}, {activation::sigmoid, activation::sigmoid}, true},
      {{64, 32, 10}, {activation::sigmoid, activation::identity}, false},
  };
  for (const shape& s : shapes) {
    const std::vector<float> first =
        train(tables_[0]->id, s.widths, s.activations, 1000, s.standardize);
    for (std::size_t t = 1; t < tables_.size(); ++t) {
      const std::vector<float> other =
          train(tables_[t]->id, s.widths, s.activations, 1000, s.standardize);
      const std::string difference = first_difference(first, other);
      ASSERT_TRUE(difference.empty())
          << s.widths.front() << "-" << s.widths[1] << "-" << s.widths.back()
          << " after 1000 steps, " << tables_[0]->name << " vs " << tables_[t]->name
          << ": parameters/outputs " << difference;
    }
  }
}

TEST_F(CrossIsa, PredictorGivesBitwiseTheSameOutputs) {
  const model models[] = {
      testing::random_model({4, 10, 3}, {activation::sigmoid, activation::identity}, true, 21,
                            true),
      testing::random_model({64, 32, 10}, {activation::sigmoid, activation::sigmoid}, true, 22),
      testing::random_model({37, 50, 17, 1},
                            {activation::sigmoid, activation::identity, activation::sigmoid}, false,
                            23),
      testing::full_model()};
  for (const model& m : models) {
    const std::size_t rows = 1000;
    std::vector<float> inputs(rows * m.input_width());
    test_rng rng(24);
    for (float& v : inputs) v = rng.uniform(-4.0f, 4.0f);
    auto outputs_on = [&](const kernel_table& table) {
      const predictor p(m, table.id);
      std::vector<std::byte> workspace(p.workspace_bytes(rows));
      std::vector<float> batched(rows * m.output_width()), single(m.output_width());
      EXPECT_EQ(p.predict_batch(inputs, rows, batched, workspace), status::ok);
      // One row at a time gives the batch's bits too (the documented order depends on nothing
      // but the layer widths).
      for (std::size_t r = 0; r < rows; r += 97) {
        EXPECT_EQ(p.predict(std::span(inputs).subspan(r * m.input_width(), m.input_width()), single,
                            workspace),
                  status::ok);
        EXPECT_TRUE(
            same_bits(single, std::span(batched).subspan(r * m.output_width(), m.output_width())))
            << table.name << " row " << r;
      }
      return batched;
    };
    const std::vector<float> first = outputs_on(*tables_[0]);
    for (std::size_t t = 1; t < tables_.size(); ++t) {
      const std::string difference = first_difference(first, outputs_on(*tables_[t]));
      ASSERT_TRUE(difference.empty()) << m.input_width() << "-input model, " << tables_[0]->name
                                      << " vs " << tables_[t]->name << ": output " << difference;
    }
  }
}

}  // namespace
}  // namespace simdnn
