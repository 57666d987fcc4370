// tests/nn/network_fused_test.cpp — the large-layer network's forward pass, whose dense layers
// run fused (bias and activation in the SGEMM's stores: lib/kernels/gemm/epilogue.hpp), gives
// bitwise the outputs of the unfused sequence it replaced, evaluated here layer by layer through
// the same kernel table (each ISA this CPU runs, chosen by network_options::kernels; the others
// are skipped by name): Z := b in every row, sgemm with beta = 1, then the activation's array
// kernel on the whole layer. Every elementwise activation in hidden and output layers, with and
// without biases, batches that are not multiples of any tile, a layer deeper than KC (several k
// blocks), one and two threads (the split shares rows or columns of each layer), and after training
// steps (weights that moved).
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

using widths_t = std::vector<std::size_t>;

std::vector<std::uint32_t> bits_of(std::span<const float> values) {
  std::vector<std::uint32_t> bits;
  bits.reserve(values.size());
  for (float v : values) bits.push_back(std::bit_cast<std::uint32_t>(v));
  return bits;
}

// The unfused forward pass of `net` on `batch` rows of x, through the active kernel table.
std::vector<float> unfused_forward(const network& net, const std::vector<float>& x,
                                   std::size_t batch) {
  const kernels::kernel_table& k = *kernels::kernels_for(net.kernels());
  const std::span<const std::size_t> widths = net.widths();
  std::vector<float> in(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(batch * widths[0]));
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const std::size_t n_in = widths[l], n_out = widths[l + 1];
    const std::span<const float> w = net.weights(l), b = net.biases(l);
    std::vector<float> z(batch * n_out);
    std::vector<float> workspace(kernels::sgemm_workspace_floats(k.blocking, batch, n_out, n_in) +
                                 16);
    float beta = 0.0f;
    if (!b.empty()) {
      for (std::size_t r = 0; r < batch; ++r) {
        std::memcpy(&z[r * n_out], b.data(), n_out * sizeof(float));
      }
      beta = 1.0f;
    }
    k.sgemm(false, false, batch, n_out, n_in, 1.0f, in.data(), n_in, w.data(), n_out, beta,
            z.data(), n_out, workspace.data());
    const float p = net.layer_activation_parameter(l);
    const std::size_t count = z.size();
    switch (net.layer_activation(l)) {
      case activation::identity:
        break;
      case activation::sigmoid:
        k.sigmoid(z.data(), z.data(), count);
        break;
      case activation::sigmoid_fast:
        k.sigmoid_fast(z.data(), z.data(), count);
        break;
      case activation::tanh:
        k.tanh(z.data(), z.data(), count);
        break;
      case activation::relu:
        k.relu(z.data(), z.data(), count);
        break;
      case activation::leaky_relu:
        k.leaky_relu(z.data(), z.data(), count, p);
        break;
      case activation::softmax:
        k.softmax(z.data(), z.data(), batch, n_out);
        break;
    }
    in = std::move(z);
  }
  return in;
}

struct fused_case {
  const char* name;
  widths_t widths;
  std::vector<activation> activations;
  std::size_t batch;
  bool bias;
};

std::vector<fused_case> cases() {
  using a = activation;
  return {
      {"sigmoid, 784-256-128-10 b256",
       {784, 256, 128, 10},
       {a::sigmoid, a::sigmoid, a::sigmoid},
       256,
       true},
      {"tanh/relu/identity", {300, 45, 70, 17}, {a::tanh, a::relu, a::identity}, 77, true},
      {"leaky_relu/sigmoid_fast/sigmoid",
       {520, 33, 40, 9},
       {a::leaky_relu, a::sigmoid_fast, a::sigmoid},
       97,
       true},
      {"relu/tanh/sigmoid_fast, no bias",
       {270, 64, 50, 20},
       {a::relu, a::tanh, a::sigmoid_fast},
       150,
       false},
      {"identity/leaky_relu/tanh, small batch",
       {40, 37, 70, 30},
       {a::identity, a::leaky_relu, a::tanh},
       5,
       true},
      {"sigmoid/relu, softmax output (unfused)",
       {200, 48, 32, 10},
       {a::sigmoid, a::relu, a::softmax},
       64,
       true},
  };
}

std::vector<float> inputs_for(const fused_case& c) {
  test_rng rng(c.widths[0] * 31 + c.batch);
  std::vector<float> x(c.batch * c.widths[0]);
  for (float& v : x) v = rng.uniform(0.0f, 1.0f);
  return x;
}

network make_network(const fused_case& c, isa which, std::size_t threads) {
  network_options options;
  options.kernels = which;
  options.max_batch = c.batch;
  options.bias = c.bias;
  options.activations = c.activations;
  options.seed = 3;
  options.threads = threads;
  options.optimizer.learning_rate = 0.05f;
  network net(c.widths, options);
  // Biases start at zero; non-zero ones make their place in the order of operations visible.
  test_rng rng(17);
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (float& b : net.biases(l)) b = rng.uniform(-0.5f, 0.5f);
  }
  return net;
}

class NetworkFused : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    if (kernels::kernels_for(GetParam()) == nullptr) {
      GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
    }
  }
};

TEST_P(NetworkFused, ForwardIsBitwiseTheUnfusedLayers) {
  for (const fused_case& c : cases()) {
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
      network net = make_network(c, GetParam(), threads);
      const std::vector<float> x = inputs_for(c);
      const auto y = net.forward(x, c.batch);
      ASSERT_TRUE(y) << c.name;
      EXPECT_EQ(bits_of(y.value), bits_of(unfused_forward(net, x, c.batch)))
          << c.name << ", " << threads << " thread(s), " << isa_name(GetParam());
    }
  }
}

// After a few steps the weights differ from their initial values (and between cases): the
// forward still matches, one thread and two.
TEST_P(NetworkFused, ForwardAfterTrainingIsBitwiseTheUnfusedLayers) {
  for (const fused_case& c : cases()) {
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
      network net = make_network(c, GetParam(), threads);
      const std::vector<float> x = inputs_for(c);
      const std::size_t outputs = c.widths.back();
      std::vector<float> t(c.batch * outputs, 0.0f);
      for (std::size_t r = 0; r < c.batch; ++r) t[r * outputs + r % outputs] = 1.0f;
      for (int step = 0; step < 3; ++step) {
        ASSERT_TRUE(net.train_batch(x, t, c.batch, 0.05f)) << c.name;
      }
      const auto y = net.forward(x, c.batch);
      ASSERT_TRUE(y) << c.name;
      EXPECT_EQ(bits_of(y.value), bits_of(unfused_forward(net, x, c.batch)))
          << c.name << ", " << threads << " thread(s) after training, " << isa_name(GetParam());
    }
  }
}

// A batch too short to split by rows (m < 2 * parts * MR on every FMA ISA) with layers
// wide enough to split by columns, large enough for the team (>= 2^20 MACs) and for the blocked
// loops: the fused column shares (ldw, ldz, lda wider than the share, bias offset) run.
TEST_P(NetworkFused, ColumnSplitForwardIsBitwiseTheUnfusedLayers) {
  using a = activation;
  const std::vector<fused_case> column_cases = {
      {"col split sigmoid", {784, 256, 128, 10}, {a::sigmoid, a::sigmoid, a::sigmoid}, 20, true},
      {"col split tanh/leaky/id",
       {600, 200, 130, 40},
       {a::tanh, a::leaky_relu, a::identity},
       23,
       true},
      {"col split no bias", {700, 190, 100, 33}, {a::relu, a::sigmoid_fast, a::tanh}, 11, false},
  };
  const kernels::kernel_table& k = *kernels::kernels_for(GetParam());
  for (const fused_case& c : column_cases) {
    ASSERT_LT(c.batch, 2 * 2 * k.blocking.mr) << c.name << ": would split by rows";
    network net = make_network(c, GetParam(), 2);
    ASSERT_EQ(net.threads(), 2u);
    const std::vector<float> x = inputs_for(c);
    const auto y = net.forward(x, c.batch);
    ASSERT_TRUE(y) << c.name;
    EXPECT_EQ(bits_of(y.value), bits_of(unfused_forward(net, x, c.batch)))
        << c.name << ", 2 threads (columns), " << isa_name(GetParam());
    network one = make_network(c, GetParam(), 1);
    const auto y1 = one.forward(x, c.batch);
    ASSERT_TRUE(y1);
    EXPECT_EQ(bits_of(y.value), bits_of(y1.value)) << c.name << ": 1 vs 2 threads";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, NetworkFused, ::testing::ValuesIn(all_isas()), isa_param_name);

}  // namespace
}  // namespace simdnn::testing
