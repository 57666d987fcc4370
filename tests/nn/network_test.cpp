// tests/nn/network_test.cpp — simdnn::network's API: construction and its errors, the arena
// (owned and caller memory), move semantics, deterministic initialization, and the statuses every
// misuse returns after construction.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/table.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/network.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

using widths_t = std::vector<std::size_t>;

const widths_t notebook_widths = {4, 10, 3, 1};

// Runs `make` and returns the std::invalid_argument message, or fails the test.
template <class F>
std::string invalid_argument_message(F&& make) {
  try {
    make();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument";
  return {};
}

std::vector<float> inputs_for(const network& net, std::size_t batch, std::uint64_t seed = 1) {
  test_rng rng(seed);
  std::vector<float> x(batch * net.input_width());
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  return x;
}

std::vector<float> targets_for(const network& net, std::size_t batch, std::uint64_t seed = 2) {
  test_rng rng(seed);
  std::vector<float> t(batch * net.output_width());
  for (float& v : t) v = rng.uniform(0.0f, 1.0f);
  return t;
}

std::vector<float> all_weights(const network& net) {
  std::vector<float> values;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    values.insert(values.end(), net.weights(l).begin(), net.weights(l).end());
    values.insert(values.end(), net.biases(l).begin(), net.biases(l).end());
  }
  return values;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(NetworkIsa, ReportsWhichIsaRuns) {
  const char* name = isa_name(active_isa());
  RecordProperty("active_isa", name);
  std::printf("network kernels: %s (table %s, GEMM tile %s)\n", name, kernels::best_kernels().name,
              kernels::best_kernels().gemm_tile);
  EXPECT_STREQ(kernels::best_kernels().name, name);
}

TEST(NetworkConstruction, RejectsBadTopologyWithClearMessages) {
  network_options options;
  EXPECT_NE(invalid_argument_message([] { network n(widths_t{4}); }).find("at least 2 widths"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([] { network n(widths_t{}); }).find("got 0"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([] {
              network n(widths_t{4, 0, 1});
            }).find("width 1 is 0"),
            std::string::npos);
  options.max_batch = 0;
  EXPECT_NE(
      invalid_argument_message([&] { network n(notebook_widths, options); }).find("max_batch is 0"),
      std::string::npos);
  options = {};
  options.activations = {activation::sigmoid, activation::identity};
  EXPECT_NE(invalid_argument_message([&] {
              network n(notebook_widths, options);
            }).find("2 activations given for 3 layers"),
            std::string::npos);
  options.activations = {activation::sigmoid, static_cast<activation>(9), activation::sigmoid};
  EXPECT_NE(invalid_argument_message([&] {
              network n(notebook_widths, options);
            }).find("activation of layer 1"),
            std::string::npos);
  options = {};
  options.init = static_cast<weight_init>(7);
  EXPECT_NE(invalid_argument_message([&] { network n(notebook_widths, options); }).find("init"),
            std::string::npos);
  options = {};
  options.reduction = static_cast<loss_reduction>(7);
  EXPECT_NE(
      invalid_argument_message([&] { network n(notebook_widths, options); }).find("reduction"),
      std::string::npos);
  // Sizes that overflow size_t are refused before anything is allocated.
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  EXPECT_NE(invalid_argument_message([&] {
              network n(widths_t{huge, 4});
            }).find("overflow"),
            std::string::npos);
  EXPECT_NE(invalid_argument_message([&] {
              static_cast<void>(network::arena_bytes(widths_t{1ull << 31, 1ull << 31}));
            }).find("overflow"),
            std::string::npos);
}

TEST(NetworkConstruction, ReportsTopology) {
  network_options options;
  options.bias = false;
  options.activations = {activation::sigmoid, activation::sigmoid, activation::identity};
  options.max_batch = 150;
  network net(notebook_widths, options);
  EXPECT_EQ(net.layer_count(), 3u);
  EXPECT_EQ(widths_t(net.widths().begin(), net.widths().end()), notebook_widths);
  EXPECT_EQ(net.input_width(), 4u);
  EXPECT_EQ(net.output_width(), 1u);
  EXPECT_EQ(net.max_batch(), 150u);
  EXPECT_FALSE(net.has_bias());
  EXPECT_EQ(net.layer_activation(2), activation::identity);
  EXPECT_EQ(net.parameter_count(), 4u * 10 + 10 * 3 + 3 * 1);
  EXPECT_EQ(net.weights(1).size(), 30u);
  EXPECT_TRUE(net.biases(1).empty());
  EXPECT_TRUE(net.weights(3).empty());  // out of range: empty, never UB
  EXPECT_TRUE(net.weight_gradients(3).empty());

  network with_bias(notebook_widths);
  EXPECT_EQ(with_bias.parameter_count(), 73u + 10 + 3 + 1);
  EXPECT_EQ(with_bias.biases(0).size(), 10u);
  EXPECT_EQ(with_bias.layer_activation(0), activation::sigmoid);
}

TEST(NetworkArena, StaticSizeEqualsInstanceSizeAndBlocksAreAligned) {
  for (const widths_t& widths : {notebook_widths, widths_t{784, 256, 128, 10}, widths_t{1, 1}}) {
    network_options options;
    options.max_batch = 37;
    const std::size_t planned = network::arena_bytes(widths, options);
    network net(widths, options);
    EXPECT_EQ(net.arena_bytes(), planned);
    for (std::size_t l = 0; l < net.layer_count(); ++l) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(net.weights(l).data()) % 64, 0u);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(net.biases(l).data()) % 64, 0u);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(net.weight_gradients(l).data()) % 64, 0u);
    }
  }
  // More rows and more layers need more memory.
  network_options small, large;
  small.max_batch = 1;
  large.max_batch = 256;
  EXPECT_LT(network::arena_bytes(notebook_widths, small),
            network::arena_bytes(notebook_widths, large));
}

// The arena plans the packing workspace for max_batch rows: that covers every smaller batch only
// if the kernels' workspace never shrinks as an extent grows. Check it for the shapes a network
// issues (forward Z, dW, delta), on every ISA the machine runs.
TEST(NetworkArena, GemmWorkspaceGrowsWithEveryExtent) {
  const widths_t widths = {784, 256, 128, 10};
  for (isa which : supported_isas()) {
    const kernels::kernel_table* table = kernels::kernels_for(which);
    ASSERT_NE(table, nullptr);
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      const std::size_t in = widths[l], out = widths[l + 1];
      std::size_t previous[3] = {0, 0, 0};
      for (std::size_t batch = 1; batch <= 300; ++batch) {
        const std::size_t now[3] = {
            kernels::sgemm_workspace_floats(table->blocking, batch, out, in),
            kernels::sgemm_workspace_floats(table->blocking, in, out, batch),
            kernels::sgemm_workspace_floats(table->blocking, batch, in, out)};
        for (int s = 0; s < 3; ++s) {
          ASSERT_GE(now[s], previous[s]) << isa_name(which) << " batch " << batch;
          previous[s] = now[s];
        }
      }
    }
  }
}

TEST(NetworkArena, CallerMemoryTooSmallThrows) {
  const std::size_t needed = network::arena_bytes(notebook_widths);
  std::vector<std::byte> memory(needed - 1);
  const std::string message =
      invalid_argument_message([&] { network n(notebook_widths, {}, memory); });
  EXPECT_NE(message.find(std::to_string(needed)), std::string::npos) << message;
  EXPECT_NE(invalid_argument_message([&] {
              network n(notebook_widths, {}, std::span<std::byte>{});
            }).find("caller memory"),
            std::string::npos);
}

// Built in a caller's buffer (deliberately misaligned by one byte), the network keeps every view
// inside it, behaves bitwise like the heap-owned one, and reports the same size.
TEST(NetworkArena, CallerMemoryNetworkLivesInTheBuffer) {
  network_options options;
  options.max_batch = 8;
  const std::size_t needed = network::arena_bytes(notebook_widths, options);
  std::vector<std::byte> buffer(needed + 1);
  const std::span<std::byte> memory(buffer.data() + 1, needed);
  const std::byte* begin = memory.data();
  const std::byte* end = memory.data() + memory.size();
  const auto inside = [&]<class T>(std::span<T> view) {
    const auto* bytes = reinterpret_cast<const std::byte*>(view.data());
    return bytes >= begin && bytes + view.size_bytes() <= end;
  };

  network in_buffer(notebook_widths, options, memory);
  network owned(notebook_widths, options);
  EXPECT_EQ(in_buffer.arena_bytes(), needed);
  EXPECT_TRUE(bitwise_equal(all_weights(in_buffer), all_weights(owned)));
  const std::vector<float> mean = {0.1f, 0.2f, 0.3f, 0.4f}, stddev = {1, 2, 3, 4};
  in_buffer.set_input_standardization(mean, stddev);
  owned.set_input_standardization(mean, stddev);
  EXPECT_TRUE(inside(in_buffer.input_mean()));
  EXPECT_TRUE(inside(in_buffer.input_stddev()));
  EXPECT_TRUE(inside(in_buffer.widths()));

  const std::vector<float> x = inputs_for(owned, 8), t = targets_for(owned, 8);
  for (int i = 0; i < 5; ++i) {
    const auto a = in_buffer.train_batch(x, t, 8, 0.5f);
    const auto b = owned.train_batch(x, t, 8, 0.5f);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(a.value), std::bit_cast<std::uint32_t>(b.value));
  }
  const auto y = in_buffer.forward(x, 8);
  ASSERT_TRUE(y);
  EXPECT_TRUE(inside(y.value));
  ASSERT_EQ(in_buffer.backward(t), status::ok);
  for (std::size_t l = 0; l < in_buffer.layer_count(); ++l) {
    EXPECT_TRUE(inside(in_buffer.weights(l)));
    EXPECT_TRUE(inside(in_buffer.biases(l)));
    EXPECT_TRUE(inside(in_buffer.weight_gradients(l)));
    EXPECT_TRUE(inside(in_buffer.bias_gradients(l)));
  }
  EXPECT_TRUE(bitwise_equal(all_weights(in_buffer), all_weights(owned)));
}

TEST(NetworkMove, MovedFromIsEmptyAndSafe) {
  network a(notebook_widths);
  const std::vector<float> weights = all_weights(a);
  const std::size_t bytes = a.arena_bytes();

  network b(std::move(a));
  EXPECT_TRUE(bitwise_equal(all_weights(b), weights));
  EXPECT_EQ(b.arena_bytes(), bytes);
  // The moved-from object: zero sizes, empty views, statuses instead of UB, safe to destroy.
  EXPECT_EQ(a.arena_bytes(), 0u);  // NOLINT(bugprone-use-after-move): that is the point
  EXPECT_EQ(a.layer_count(), 0u);
  EXPECT_EQ(a.parameter_count(), 0u);
  EXPECT_EQ(a.input_width(), 0u);
  EXPECT_EQ(a.output_width(), 0u);
  EXPECT_EQ(a.max_batch(), 0u);
  EXPECT_TRUE(a.widths().empty());
  EXPECT_TRUE(a.weights(0).empty());
  EXPECT_FALSE(a.has_input_standardization());
  const std::vector<float> x(4, 0.0f), t(1, 0.0f);
  EXPECT_EQ(a.forward(x, 1).error, status::empty_network);
  EXPECT_EQ(a.loss(t).error, status::empty_network);
  EXPECT_EQ(a.backward(t), status::empty_network);
  EXPECT_EQ(a.step(0.1f), status::empty_network);
  EXPECT_EQ(a.train_batch(x, t, 1, 0.1f).error, status::empty_network);
  a.clear_input_standardization();
  EXPECT_THROW(a.set_input_standardization(x, x), std::invalid_argument);

  // Move assignment releases the target's old arena and takes the source's.
  network c(widths_t{2, 2});
  c = std::move(b);
  EXPECT_TRUE(bitwise_equal(all_weights(c), weights));
  EXPECT_EQ(b.layer_count(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(c.forward(x, 1));
  // A moved-from object can be assigned to again.
  a = std::move(c);
  EXPECT_EQ(a.layer_count(), 3u);
  static_assert(!std::is_copy_constructible_v<network> && !std::is_copy_assignable_v<network>);
  static_assert(std::is_nothrow_move_constructible_v<network>);
  static_assert(std::is_nothrow_move_assignable_v<network>);
}

TEST(NetworkInit, SameSeedSameWeightsAndSameTrainingRun) {
  network_options options;
  options.seed = 12345;
  options.max_batch = 16;
  network a(notebook_widths, options), b(notebook_widths, options);
  ASSERT_TRUE(bitwise_equal(all_weights(a), all_weights(b)));
  const std::vector<float> x = inputs_for(a, 16), t = targets_for(a, 16);
  for (int i = 0; i < 50; ++i) {
    const auto la = a.train_batch(x, t, 16, 0.3f);
    const auto lb = b.train_batch(x, t, 16, 0.3f);
    ASSERT_TRUE(la && lb);
    ASSERT_EQ(std::bit_cast<std::uint32_t>(la.value), std::bit_cast<std::uint32_t>(lb.value));
  }
  EXPECT_TRUE(bitwise_equal(all_weights(a), all_weights(b)));

  options.seed = 12346;
  const std::vector<float> wa = all_weights(network(notebook_widths, {}));
  const std::vector<float> wc = all_weights(network(notebook_widths, options));
  std::size_t equal = 0;
  for (std::size_t i = 0; i < wa.size(); ++i) equal += wa[i] == wc[i] && wa[i] != 0.0f ? 1 : 0;
  EXPECT_EQ(equal, 0u) << "different seeds should give unrelated weights";
}

// The documented stream, recomputed independently: weights layer by layer, row-major, each
// float(radius * (2 u - 1)) with u = (splitmix64 >> 11) * 2^-53 and radius 1 (uniform_pm1) or
// sqrt(6 / (fan_in + fan_out)) (Xavier); biases zero. Pins "bitwise the same everywhere".
TEST(NetworkInit, FollowsTheDocumentedStream) {
  for (weight_init init : {weight_init::uniform_pm1, weight_init::xavier_uniform}) {
    network_options options;
    options.init = init;
    options.seed = 99;
    network net(notebook_widths, options);
    test_rng rng(99);
    for (std::size_t l = 0; l < net.layer_count(); ++l) {
      const double radius =
          init == weight_init::uniform_pm1
              ? 1.0
              : std::sqrt(6.0 / static_cast<double>(notebook_widths[l] + notebook_widths[l + 1]));
      for (float w : net.weights(l)) {
        const double unit = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
        const auto expected = static_cast<float>(radius * (2 * unit - 1));
        ASSERT_EQ(std::bit_cast<std::uint32_t>(w), std::bit_cast<std::uint32_t>(expected));
        EXPECT_LE(std::fabs(w), radius);
      }
      for (float b : net.biases(l)) EXPECT_EQ(b, 0.0f);
    }
  }
}

TEST(NetworkStatus, BatchAndSizeErrors) {
  network_options options;
  options.max_batch = 4;
  network net(notebook_widths, options);
  const std::vector<float> x = inputs_for(net, 4), t = targets_for(net, 4);
  EXPECT_EQ(net.forward(x, 0).error, status::empty_batch);
  EXPECT_EQ(net.forward(inputs_for(net, 5), 5).error, status::batch_too_large);
  EXPECT_EQ(net.forward(x, 3).error, status::size_mismatch);
  EXPECT_EQ(net.forward(std::span<const float>{}, 1).error, status::size_mismatch);
  EXPECT_EQ(net.train_batch(x, t, 0, 0.1f).error, status::empty_batch);
  EXPECT_EQ(net.train_batch(inputs_for(net, 5), targets_for(net, 5), 5, 0.1f).error,
            status::batch_too_large);
  EXPECT_EQ(net.train_batch(x, std::span<const float>(t).first(3), 4, 0.1f).error,
            status::size_mismatch);
  ASSERT_TRUE(net.forward(x, 4));
  EXPECT_EQ(net.loss(std::span<const float>(t).first(3)).error, status::size_mismatch);
  EXPECT_EQ(net.backward(std::span<const float>(t).first(3)), status::size_mismatch);
  EXPECT_EQ(net.backward(t), status::ok);
  for (status s : {status::ok, status::empty_batch, status::batch_too_large, status::size_mismatch,
                   status::non_finite_input, status::no_forward_pass, status::no_backward_pass,
                   status::empty_network, status::workspace_too_small}) {
    EXPECT_NE(status_message(s), nullptr);
    EXPECT_STRNE(status_message(s), "unknown status");
  }
}

TEST(NetworkStatus, NonFiniteInputsTargetsAndRates) {
  network_options options;
  options.max_batch = 4;
  network net(notebook_widths, options);
  const std::vector<float> x = inputs_for(net, 4), t = targets_for(net, 4);
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    std::vector<float> bad_x = x, bad_t = t;
    bad_x[13] = bad;
    bad_t[2] = bad;
    EXPECT_EQ(net.forward(bad_x, 4).error, status::non_finite_input);
    EXPECT_EQ(net.train_batch(bad_x, t, 4, 0.1f).error, status::non_finite_input);
    EXPECT_EQ(net.train_batch(x, bad_t, 4, 0.1f).error, status::non_finite_input);
    EXPECT_EQ(net.train_batch(x, t, 4, bad).error, status::non_finite_input);
    ASSERT_TRUE(net.forward(x, 4));
    EXPECT_EQ(net.loss(bad_t).error, status::non_finite_input);
    EXPECT_EQ(net.backward(bad_t), status::non_finite_input);
    EXPECT_EQ(net.step(0.1f), status::no_backward_pass) << "a failed backward leaves no gradients";
    ASSERT_EQ(net.backward(t), status::ok);
    EXPECT_EQ(net.step(bad), status::non_finite_input);
  }
  // The largest finite values are accepted.
  std::vector<float> extreme = x;
  extreme[0] = std::numeric_limits<float>::max();
  extreme[1] = -std::numeric_limits<float>::max();
  extreme[2] = std::numeric_limits<float>::denorm_min();
  EXPECT_TRUE(net.forward(extreme, 4));
}

TEST(NetworkStatus, CallOrder) {
  network_options options;
  options.max_batch = 4;
  network net(notebook_widths, options);
  const std::vector<float> x = inputs_for(net, 4), t = targets_for(net, 4);
  EXPECT_EQ(net.loss(t).error, status::no_forward_pass);
  EXPECT_EQ(net.backward(t), status::no_forward_pass);
  EXPECT_EQ(net.step(0.1f), status::no_backward_pass);
  ASSERT_TRUE(net.forward(x, 4));
  EXPECT_EQ(net.step(0.1f), status::no_backward_pass);
  ASSERT_EQ(net.backward(t), status::ok);
  ASSERT_EQ(net.step(0.1f), status::ok);
  // The gradients are used up, and the saved activations predate the new weights.
  EXPECT_EQ(net.step(0.1f), status::no_backward_pass);
  EXPECT_EQ(net.backward(t), status::no_forward_pass);
  EXPECT_TRUE(net.loss(t)) << "the last forward's outputs remain valid for loss";
  // A new forward clears gradients of the previous batch.
  ASSERT_TRUE(net.forward(x, 4));
  ASSERT_EQ(net.backward(t), status::ok);
  ASSERT_TRUE(net.forward(x, 4));
  EXPECT_EQ(net.step(0.1f), status::no_backward_pass);
  // A rejected forward forgets the saved state rather than mixing two batches.
  std::vector<float> bad = x;
  bad[0] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_FALSE(net.forward(bad, 4));
  EXPECT_EQ(net.backward(t), status::no_forward_pass);
  EXPECT_EQ(net.loss(t).error, status::no_forward_pass);
  // train_batch leaves nothing for backward or step (it used both).
  ASSERT_TRUE(net.train_batch(x, t, 4, 0.1f));
  EXPECT_EQ(net.backward(t), status::no_forward_pass);
  EXPECT_EQ(net.step(0.1f), status::no_backward_pass);
}

TEST(NetworkStatus, RejectedTrainBatchChangesNothing) {
  network_options options;
  options.max_batch = 4;
  network net(notebook_widths, options);
  const std::vector<float> before = all_weights(net);
  const std::vector<float> x = inputs_for(net, 4), t = targets_for(net, 4);
  std::vector<float> bad_t = t;
  bad_t[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(net.train_batch(x, std::span<const float>(t).first(2), 4, 0.1f));
  EXPECT_FALSE(net.train_batch(x, bad_t, 4, 0.1f));
  EXPECT_FALSE(net.train_batch(x, t, 4, std::numeric_limits<float>::quiet_NaN()));
  EXPECT_TRUE(bitwise_equal(all_weights(net), before));
}

// train_batch is forward + loss + backward + step, bitwise.
TEST(NetworkTraining, TrainBatchEqualsItsParts) {
  network_options options;
  options.max_batch = 8;
  network a(notebook_widths, options), b(notebook_widths, options);
  const std::vector<float> x = inputs_for(a, 8), t = targets_for(a, 8);
  for (int i = 0; i < 10; ++i) {
    const auto la = a.train_batch(x, t, 8, 0.7f);
    ASSERT_TRUE(b.forward(x, 8));
    const auto lb = b.loss(t);
    ASSERT_EQ(b.backward(t), status::ok);
    ASSERT_EQ(b.step(0.7f), status::ok);
    ASSERT_TRUE(la && lb);
    ASSERT_EQ(std::bit_cast<std::uint32_t>(la.value), std::bit_cast<std::uint32_t>(lb.value));
  }
  EXPECT_TRUE(bitwise_equal(all_weights(a), all_weights(b)));
}

// step is w -= lr * g for every weight and bias, exactly.
TEST(NetworkTraining, StepAppliesTheGradients) {
  network_options options;
  options.max_batch = 3;
  network net(widths_t{3, 5, 2}, options);
  const std::vector<float> x = inputs_for(net, 3), t = targets_for(net, 3);
  ASSERT_TRUE(net.forward(x, 3));
  ASSERT_EQ(net.backward(t), status::ok);
  std::vector<float> expected;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    for (std::size_t i = 0; i < net.weights(l).size(); ++i) {
      expected.push_back(net.weights(l)[i] - 0.25f * net.weight_gradients(l)[i]);
    }
    for (std::size_t j = 0; j < net.biases(l).size(); ++j) {
      expected.push_back(net.biases(l)[j] - 0.25f * net.bias_gradients(l)[j]);
    }
  }
  ASSERT_EQ(net.step(0.25f), status::ok);
  EXPECT_TRUE(bitwise_equal(all_weights(net), expected));
}

// With batch * outputs a power of two the mean's scale 2 / (batch * outputs) is exact, and every
// later operation scales exactly too: the two reductions differ by exactly that factor, bitwise.
TEST(NetworkTraining, MeanAndSumReductionsDifferByTheElementCount) {
  network_options mean_options, sum_options;
  mean_options.max_batch = sum_options.max_batch = 8;
  sum_options.reduction = loss_reduction::sum;
  network mean_net(notebook_widths, mean_options), sum_net(notebook_widths, sum_options);
  const std::vector<float> x = inputs_for(mean_net, 8), t = targets_for(mean_net, 8);
  ASSERT_TRUE(mean_net.forward(x, 8) && sum_net.forward(x, 8));
  EXPECT_EQ(sum_net.loss(t).value / 8, mean_net.loss(t).value);
  ASSERT_EQ(mean_net.backward(t), status::ok);
  ASSERT_EQ(sum_net.backward(t), status::ok);
  for (std::size_t l = 0; l < mean_net.layer_count(); ++l) {
    for (std::size_t i = 0; i < sum_net.weight_gradients(l).size(); ++i) {
      EXPECT_EQ(sum_net.weight_gradients(l)[i] / 8, mean_net.weight_gradients(l)[i]);
    }
    for (std::size_t j = 0; j < sum_net.bias_gradients(l).size(); ++j) {
      EXPECT_EQ(sum_net.bias_gradients(l)[j] / 8, mean_net.bias_gradients(l)[j]);
    }
  }
}

TEST(NetworkStandardization, AppliesAndValidatesStatistics) {
  network_options options;
  options.max_batch = 5;
  network net(notebook_widths, options), plain(notebook_widths, options);
  EXPECT_FALSE(net.has_input_standardization());
  EXPECT_TRUE(net.input_mean().empty());
  const std::vector<float> mean = {5.8f, 3.0f, 3.7f, 1.2f}, stddev = {0.8f, 0.4f, 1.7f, 0.8f};
  EXPECT_THROW(net.set_input_standardization(std::span<const float>(mean).first(3), stddev),
               std::invalid_argument);
  std::vector<float> bad = stddev;
  bad[2] = 0.0f;
  EXPECT_THROW(net.set_input_standardization(mean, bad), std::invalid_argument);
  bad[2] = -1.0f;
  EXPECT_THROW(net.set_input_standardization(mean, bad), std::invalid_argument);
  bad = mean;
  bad[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(net.set_input_standardization(bad, stddev), std::invalid_argument);
  EXPECT_FALSE(net.has_input_standardization());

  net.set_input_standardization(mean, stddev);
  ASSERT_TRUE(net.has_input_standardization());
  EXPECT_EQ(std::vector<float>(net.input_mean().begin(), net.input_mean().end()), mean);
  EXPECT_EQ(std::vector<float>(net.input_stddev().begin(), net.input_stddev().end()), stddev);

  // The same float formula applied here gives bitwise the same outputs.
  const std::vector<float> x = inputs_for(net, 5);
  std::vector<float> standardized = x;
  for (std::size_t i = 0; i < x.size(); ++i) standardized[i] = (x[i] - mean[i % 4]) / stddev[i % 4];
  const auto a = net.forward(x, 5);
  ASSERT_TRUE(a);
  const std::vector<float> ya(a.value.begin(), a.value.end());
  const auto b = plain.forward(standardized, 5);
  ASSERT_TRUE(b);
  EXPECT_TRUE(bitwise_equal(ya, std::vector<float>(b.value.begin(), b.value.end())));

  net.clear_input_standardization();
  EXPECT_FALSE(net.has_input_standardization());
  EXPECT_TRUE(net.input_stddev().empty());
  const auto c = net.forward(standardized, 5);
  ASSERT_TRUE(c);
  EXPECT_TRUE(bitwise_equal(ya, std::vector<float>(c.value.begin(), c.value.end())));
}

// forward copies its inputs: changing the caller's buffer between forward and backward does not
// change the gradients.
TEST(NetworkTraining, BackwardDoesNotReadTheCallersInputs) {
  network_options options;
  options.max_batch = 4;
  network a(notebook_widths, options), b(notebook_widths, options);
  std::vector<float> x = inputs_for(a, 4);
  const std::vector<float> x_kept = x, t = targets_for(a, 4);
  ASSERT_TRUE(a.forward(x, 4) && b.forward(x_kept, 4));
  std::fill(x.begin(), x.end(), 123.0f);
  ASSERT_EQ(a.backward(t), status::ok);
  ASSERT_EQ(b.backward(t), status::ok);
  const auto ga = a.weight_gradients(0), gb = b.weight_gradients(0);
  EXPECT_TRUE(bitwise_equal({ga.begin(), ga.end()}, {gb.begin(), gb.end()}));
}

}  // namespace
}  // namespace simdnn::testing
