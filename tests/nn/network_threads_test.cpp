// tests/nn/network_threads_test.cpp — network_options::threads: a network whose passes are shared
// among 2 or 3 threads trains bitwise like the same network on one thread (every weight, bias,
// output and loss), for every optimizer and every loss, on the MNIST-shaped 784-256-128-10 and on
// an odd 100-70-33-5 whose batch (203) is a multiple of no tile; the separate forward / backward
// / step calls too; small passes, small networks and the option's limits. Its own executable with
// "Thread" in every test name, so the ThreadSanitizer preset (tools/ci-extra.sh) builds and runs
// it alongside the sgemm pool's tests. Runs on the active ISA (registered once per ISA cap).
#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

struct shape_case {
  const char* name;
  std::vector<std::size_t> widths;
  std::size_t batch;
};

struct data_set {
  std::vector<float> inputs, targets;
};

// Fixed-seed inputs in [0, 1) and one-hot targets (row r is class r mod outputs): rows of
// probabilities, which every loss accepts.
data_set make_data(const std::vector<std::size_t>& widths, std::size_t batch, std::uint64_t seed) {
  data_set data;
  test_rng rng(seed);
  data.inputs.resize(batch * widths.front());
  for (float& v : data.inputs) v = rng.uniform(0.0f, 1.0f);
  const std::size_t outputs = widths.back();
  data.targets.assign(batch * outputs, 0.0f);
  for (std::size_t r = 0; r < batch; ++r) data.targets[r * outputs + r % outputs] = 1.0f;
  return data;
}

std::vector<std::uint32_t> bits_of(std::span<const float> values) {
  std::vector<std::uint32_t> bits;
  bits.reserve(values.size());
  for (float v : values) bits.push_back(std::bit_cast<std::uint32_t>(v));
  return bits;
}

// Every parameter of `a` and `b` bitwise equal (gtest prints the first differing layer).
void expect_same_parameters(const network& a, const network& b, const std::string& what) {
  ASSERT_EQ(a.layer_count(), b.layer_count());
  for (std::size_t l = 0; l < a.layer_count(); ++l) {
    EXPECT_EQ(bits_of(a.weights(l)), bits_of(b.weights(l))) << what << ", weights " << l;
    EXPECT_EQ(bits_of(a.biases(l)), bits_of(b.biases(l))) << what << ", biases " << l;
    EXPECT_EQ(bits_of(a.weight_gradients(l)), bits_of(b.weight_gradients(l)))
        << what << ", weight gradients " << l;
    EXPECT_EQ(bits_of(a.bias_gradients(l)), bits_of(b.bias_gradients(l)))
        << what << ", bias gradients " << l;
  }
}

// `steps` train_batch calls on one thread and on `threads`, compared after every step.
void expect_threads_train_alike(const shape_case& shape, network_options options,
                                std::size_t threads, int steps, const std::string& what) {
  const data_set data = make_data(shape.widths, shape.batch, 7);
  options.max_batch = 256;
  options.threads = 1;
  network single(shape.widths, options);
  options.threads = threads;
  network team(shape.widths, options);
  ASSERT_EQ(team.threads(), threads) << what;
  for (int step = 0; step < steps; ++step) {
    const auto one = single.train_batch(data.inputs, data.targets, shape.batch);
    const auto many = team.train_batch(data.inputs, data.targets, shape.batch);
    ASSERT_TRUE(one && many) << what;
    EXPECT_EQ(std::bit_cast<std::uint32_t>(one.value), std::bit_cast<std::uint32_t>(many.value))
        << what << ", loss of step " << step << ": " << one.value << " vs " << many.value;
    EXPECT_EQ(bits_of(single.outputs()), bits_of(team.outputs())) << what << ", step " << step;
    expect_same_parameters(single, team, what + ", step " + std::to_string(step));
  }
  EXPECT_EQ(single.optimizer_steps(), team.optimizer_steps());
}

std::vector<shape_case> shapes() {
  return {{"784-256-128-10", {784, 256, 128, 10}, 256}, {"100-70-33-5", {100, 70, 33, 5}, 203}};
}

struct optimizer_case {
  const char* name;
  optimizer_kind kind;
  float learning_rate, weight_decay;
  bool nesterov;
};

TEST(NetworkThreads, EveryOptimizerTrainsBitwiseLikeOneThread) {
  const optimizer_case optimizers[] = {{"sgd", optimizer_kind::sgd, 0.5f, 0.0f, false},
                                       {"sgd_decay", optimizer_kind::sgd, 0.5f, 0.01f, false},
                                       {"momentum", optimizer_kind::momentum, 0.2f, 0.0f, false},
                                       {"nesterov", optimizer_kind::momentum, 0.2f, 0.01f, true},
                                       {"adam", optimizer_kind::adam, 0.01f, 0.01f, false},
                                       {"adamw", optimizer_kind::adamw, 0.01f, 0.1f, false},
                                       {"rprop", optimizer_kind::rprop, 0.0f, 0.0f, false}};
  for (const shape_case& shape : shapes()) {
    for (const optimizer_case& o : optimizers) {
      network_options options;
      options.optimizer.kind = o.kind;
      options.optimizer.learning_rate = o.learning_rate;
      options.optimizer.weight_decay = o.weight_decay;
      options.optimizer.nesterov = o.nesterov;
      expect_threads_train_alike(shape, options, 2, 3,
                                 std::string(shape.name) + ", " + o.name + ", 2 threads");
    }
  }
}

TEST(NetworkThreads, EveryLossTrainsBitwiseLikeOneThread) {
  struct loss_case {
    const char* name;
    loss_function loss;
    std::vector<activation> activations;  // for 3 layers
    loss_reduction reduction;
  };
  const loss_case losses[] = {
      {"squared_error, sigmoid",
       loss_function::squared_error,
       {activation::sigmoid, activation::sigmoid, activation::sigmoid},
       loss_reduction::mean},
      {"squared_error sum, tanh/relu/identity",
       loss_function::squared_error,
       {activation::tanh, activation::relu, activation::identity},
       loss_reduction::sum},
      {"binary_cross_entropy, leaky_relu/sigmoid_fast",
       loss_function::binary_cross_entropy,
       {activation::leaky_relu, activation::sigmoid_fast, activation::sigmoid},
       loss_reduction::mean},
      {"softmax_cross_entropy, tanh",
       loss_function::softmax_cross_entropy,
       {activation::tanh, activation::tanh, activation::softmax},
       loss_reduction::mean},
      {"squared_error, softmax output",
       loss_function::squared_error,
       {activation::relu, activation::tanh, activation::softmax},
       loss_reduction::mean},
  };
  for (const shape_case& shape : shapes()) {
    for (const loss_case& c : losses) {
      network_options options;
      options.loss = c.loss;
      options.activations = c.activations;
      options.reduction = c.reduction;
      options.optimizer.kind = optimizer_kind::adam;
      options.optimizer.learning_rate = 0.01f;
      expect_threads_train_alike(shape, options, 2, 3,
                                 std::string(shape.name) + ", " + c.name + ", 2 threads");
    }
  }
}

// Three parts: uneven shares of rows, columns and parameters.
TEST(NetworkThreads, ThreeThreadsTrainBitwiseLikeOne) {
  for (const shape_case& shape : shapes()) {
    network_options options;
    options.optimizer.kind = optimizer_kind::momentum;
    expect_threads_train_alike(shape, options, 3, 3, std::string(shape.name) + ", 3 threads");
  }
  // No bias: the bias broadcast and column sums are skipped on every part alike.
  network_options no_bias;
  no_bias.bias = false;
  expect_threads_train_alike(shapes()[1], no_bias, 3, 2, "100-70-33-5, no bias, 3 threads");
}

// forward, loss, backward and step called one by one share their passes too, and batches below
// the split threshold (run on the caller alone) give the same results as well.
TEST(NetworkThreads, SeparateCallsAndSmallBatchesMatchOneThread) {
  const shape_case shape = shapes()[1];
  network_options options;
  options.optimizer.kind = optimizer_kind::adam;
  options.optimizer.learning_rate = 0.01f;
  options.max_batch = 256;
  network single(shape.widths, options);
  options.threads = 2;
  network team(shape.widths, options);
  for (std::size_t batch : {shape.batch, std::size_t{1}, std::size_t{7}, std::size_t{256}}) {
    const data_set data = make_data(shape.widths, batch, 100 + batch);
    const std::string what = "batch " + std::to_string(batch);
    const auto y1 = single.forward(data.inputs, batch);
    const auto y2 = team.forward(data.inputs, batch);
    ASSERT_TRUE(y1 && y2) << what;
    EXPECT_EQ(bits_of(y1.value), bits_of(y2.value)) << what;
    const auto l1 = single.loss(data.targets);
    const auto l2 = team.loss(data.targets);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(l1.value), std::bit_cast<std::uint32_t>(l2.value));
    ASSERT_EQ(single.backward(data.targets), status::ok) << what;
    ASSERT_EQ(team.backward(data.targets), status::ok) << what;
    ASSERT_EQ(single.step(), status::ok) << what;
    ASSERT_EQ(team.step(), status::ok) << what;
    expect_same_parameters(single, team, what);
  }
}

// Every part checks its own rows of the inputs: a NaN in the last row (another thread's share)
// rejects the call before any weight changes, as on one thread.
TEST(NetworkThreads, NonFiniteInputInAnotherThreadsRowsChangesNothing) {
  const shape_case shape = shapes()[1];
  data_set data = make_data(shape.widths, shape.batch, 11);
  network_options options;
  options.max_batch = shape.batch;
  options.threads = 2;
  network team(shape.widths, options);
  const std::vector<float> before(team.weights(0).begin(), team.weights(0).end());
  data.inputs[data.inputs.size() - 3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(team.train_batch(data.inputs, data.targets, shape.batch).error,
            status::non_finite_input);
  EXPECT_EQ(bits_of(team.weights(0)), bits_of(before));
  EXPECT_EQ(team.optimizer_steps(), 0u);
  EXPECT_EQ(team.forward(data.inputs, shape.batch).error, status::non_finite_input);
  EXPECT_EQ(team.backward(data.targets), status::no_forward_pass);
}

// A moved network keeps its workers; a moved-onto one stops its own.
TEST(NetworkThreads, MovedNetworkKeepsItsThreads) {
  const shape_case shape = shapes()[1];
  const data_set data = make_data(shape.widths, shape.batch, 9);
  network_options options;
  options.max_batch = shape.batch;
  network single(shape.widths, options);
  options.threads = 2;
  network first(shape.widths, options);
  network second(shape.widths, options);
  second = std::move(first);
  network third(std::move(second));
  EXPECT_EQ(third.threads(), 2u);
  for (int step = 0; step < 2; ++step) {
    ASSERT_TRUE(single.train_batch(data.inputs, data.targets, shape.batch));
    ASSERT_TRUE(third.train_batch(data.inputs, data.targets, shape.batch));
  }
  expect_same_parameters(single, third, "moved");
}

// Small networks run their fused row-block kernels on the caller and start no thread; the
// option's limits are checked before anything is built.
TEST(NetworkThreads, SmallNetworksStartNoThreadAndLimitsAreChecked) {
  network_options options;
  options.threads = 4;
  const std::vector<std::size_t> small = {4, 10, 3};
  EXPECT_EQ(network(small, options).threads(), 1u);
  EXPECT_EQ(network(std::vector<std::size_t>{20, 10, 3}, options).threads(), 4u);
  options.threads = 0;
  EXPECT_THROW(network(small, options), std::invalid_argument);
  options.threads = 65;
  EXPECT_THROW(static_cast<void>(network::arena_bytes(small, options)), std::invalid_argument);
  options.threads = 64;
  EXPECT_NO_THROW(static_cast<void>(network::arena_bytes(small, options)));
}

// Each thread has its own packing workspace in the arena, so the arena grows with threads on the
// general path (and not on the row-block path, which runs on one).
TEST(NetworkThreads, ArenaHoldsOneWorkspacePerThread) {
  network_options options;
  const std::vector<std::size_t> large = {100, 70, 33, 5}, small = {4, 10, 3};
  const std::size_t one = network::arena_bytes(large, options);
  const std::size_t one_small = network::arena_bytes(small, options);
  options.threads = 2;
  EXPECT_GT(network::arena_bytes(large, options), one);
  EXPECT_EQ(network::arena_bytes(small, options), one_small);
}

}  // namespace
}  // namespace simdnn::testing
