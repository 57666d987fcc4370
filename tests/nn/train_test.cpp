// tests/nn/train_test.cpp — simdnn::train and simdnn::evaluate (simdnn/train.hpp): what an epoch
// does, the metrics, early stopping with the best weights kept, the callback, reproducibility,
// the errors; and the learning the issue asks of the new activations, losses and optimizers:
// RPROP >= 99% training accuracy on Iris within 1,000 epochs, a 64-32-10 relu/softmax/Adam
// network >= 95% held-out on a seeded 10-class problem, the trainer's defaults >= 96.7% held-out
// on the README's Iris split. Runs on the active ISA (registered once per ISA cap).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "simdnn/dataset.hpp"
#include "simdnn/network.hpp"
#include "simdnn/train.hpp"
#include "test_support.hpp"

namespace simdnn::testing {
namespace {

dataset load_iris_dataset() {
  return load_csv(SIMDNN_DATA_DIR "/iris.csv");
}

// A seeded 10-class problem in 64 dimensions: class centres drawn in [-1, 1]^64, rows around
// them with Gaussian-like noise (a sum of four uniforms, standard deviation 1.155 * `noise` per
// feature), so the classes overlap in every single feature and only the whole row tells them
// apart (noise 0.9 here: held-out accuracy ~97-98%, noise 1.2 already caps it near 93%).
dataset synthetic_ten_classes(std::size_t rows, std::uint64_t seed, float noise) {
  test_rng rng(seed);
  constexpr std::size_t features = 64, classes = 10;
  std::vector<float> centres(classes * features);
  for (float& c : centres) c = rng.uniform(-1.0f, 1.0f);
  std::vector<float> x;
  std::vector<class_index> labels;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto label = static_cast<class_index>(rng.below(classes));
    labels.push_back(label);
    for (std::size_t j = 0; j < features; ++j) {
      float jitter = 0.0f;
      for (int k = 0; k < 4; ++k) jitter += rng.uniform(-1.0f, 1.0f);
      x.push_back(centres[label * features + j] + noise * jitter);
    }
  }
  std::vector<std::string> names;
  for (std::size_t c = 0; c < classes; ++c) names.push_back("class" + std::to_string(c));
  return dataset::classification(features, std::move(x), std::move(labels), std::move(names));
}

network iris_network(optimizer_options o, activation hidden, std::size_t max_batch = 150) {
  network_options options;
  options.activations = {hidden, activation::softmax};
  options.loss = loss_function::softmax_cross_entropy;
  options.optimizer = o;
  options.max_batch = max_batch;
  return network(std::vector<std::size_t>{4, 10, 3}, options);
}

void standardize_like(network& net, const dataset& train) {
  const feature_statistics s = compute_feature_statistics(train);
  net.set_input_standardization(s.mean, s.stddev);
}

TEST(Training, RpropReachesNinetyNinePercentOnIrisWithinAThousandEpochs) {
  const dataset iris = load_iris_dataset();
  ASSERT_EQ(iris.rows(), 150u);
  optimizer_options o;
  o.kind = optimizer_kind::rprop;
  network net = iris_network(o, activation::sigmoid);
  standardize_like(net, iris);
  std::vector<float> targets;
  const training_data rows = classification_data(iris, targets);
  training_options t;
  t.epochs = 1000;
  std::size_t first_at_99 = 0;
  t.on_epoch = [&](const epoch_metrics& m) {
    if (first_at_99 == 0 && m.train_accuracy >= 0.99) first_at_99 = m.epoch;
    return true;
  };
  const training_report report = train(net, rows, nullptr, t);
  const evaluation final_score = evaluate(net, rows);
  std::printf(
      "[ %s ] rprop: 99%% of the training rows first at epoch %zu; after %zu epochs %.2f%%\n",
      isa_name(net.kernels()), first_at_99, report.history.size(), 100.0 * final_score.accuracy);
  EXPECT_GE(final_score.accuracy, 0.99);
  EXPECT_GT(first_at_99, 0u);
  EXPECT_EQ(net.optimizer_steps(), 1000u) << "one whole-batch step per epoch";
}

TEST(Training, ReluSoftmaxAdamLearnsTenSyntheticClasses) {
  const dataset data = synthetic_ten_classes(3000, 4242, 0.9f);
  const dataset_split split = split_train_test(data, 0.2, 7);
  network_options options;
  options.activations = {activation::relu, activation::softmax};
  options.loss = loss_function::softmax_cross_entropy;
  options.optimizer.kind = optimizer_kind::adam;
  options.optimizer.learning_rate = 0.003f;
  options.max_batch = 256;
  network net(std::vector<std::size_t>{64, 32, 10}, options);
  standardize_like(net, split.train);
  std::vector<float> train_targets, test_targets;
  const training_data train_rows = classification_data(split.train, train_targets);
  const training_data test_rows = classification_data(split.test, test_targets);
  training_options t;
  t.epochs = 30;
  t.batch_size = 32;
  const training_report report = train(net, train_rows, &test_rows, t);
  const evaluation held_out = evaluate(net, test_rows);
  std::printf("[ %s ] 64-32-10 relu/softmax/adam: held-out %.2f%% after %zu epochs (loss %.4f)\n",
              isa_name(net.kernels()), 100.0 * held_out.accuracy, report.history.size(),
              held_out.loss);
  EXPECT_GE(held_out.accuracy, 0.95);
  EXPECT_DOUBLE_EQ(report.history.back().validation_accuracy, held_out.accuracy);
}

// The trainer's defaults (tools/train/options.hpp: tanh hidden layers, softmax cross-entropy,
// Adam at 0.03, batch 32, 100 epochs) on the README's split (seed 1, 20% held out), against the
// old default setup (sigmoid everywhere, squared error, SGD at 0.5): the new one reaches 96.7%
// held-out, the old one has not yet at the same epoch count.
TEST(Training, NewDefaultsBeatTheOldOnesOnIrisInFewerEpochs) {
  const dataset iris = load_iris_dataset();
  splitmix64 seeder(1);
  const std::uint64_t split_seed = seeder.next();
  const std::uint64_t shuffle_seed = seeder.next();
  const dataset_split split = split_train_test(iris, 0.2, split_seed);
  const auto held_out_after = [&](bool new_defaults, std::size_t epochs) {
    network_options options;
    options.max_batch = 256;
    options.seed = 1;
    if (new_defaults) {
      options.activations = {activation::tanh, activation::softmax};
      options.loss = loss_function::softmax_cross_entropy;
      options.optimizer.kind = optimizer_kind::adam;
      options.optimizer.learning_rate = 0.03f;
    } else {
      options.optimizer.learning_rate = 0.5f;  // sigmoid, squared error, SGD
    }
    network net(std::vector<std::size_t>{4, 10, 3}, options);
    standardize_like(net, split.train);
    std::vector<float> train_targets, test_targets;
    const training_data train_rows = classification_data(split.train, train_targets);
    const training_data test_rows = classification_data(split.test, test_targets);
    training_options t;
    t.epochs = epochs;
    t.batch_size = 32;
    t.seed = shuffle_seed;
    static_cast<void>(train(net, train_rows, nullptr, t));
    return evaluate(net, test_rows).accuracy;
  };
  const double new_at_100 = held_out_after(true, 100);
  const double old_at_100 = held_out_after(false, 100);
  std::printf("held-out after 100 epochs: new defaults %.2f%%, old %.2f%%\n", 100.0 * new_at_100,
              100.0 * old_at_100);
  EXPECT_GE(new_at_100, 29.0 / 30.0 - 1e-9);
  EXPECT_LT(old_at_100, 29.0 / 30.0 - 1e-9);
}

struct small_problem {
  dataset data = synthetic_ten_classes(400, 99, 2.0f);
  dataset_split split = split_train_test(data, 0.25, 3);
  std::vector<float> train_targets, validation_targets;
  training_data train_rows = classification_data(split.train, train_targets);
  training_data validation_rows = classification_data(split.test, validation_targets);
};

network small_network(std::uint64_t seed = 1) {
  network_options options;
  options.activations = {activation::leaky_relu, activation::softmax};
  options.loss = loss_function::softmax_cross_entropy;
  options.optimizer.kind = optimizer_kind::adam;
  options.optimizer.learning_rate = 0.05f;  // high on purpose: the validation loss turns up
  options.max_batch = 64;
  options.seed = seed;
  return network(std::vector<std::size_t>{64, 16, 10}, options);
}

TEST(Training, MetricsAreTheEpochsAndValidationIsExact) {
  small_problem p;
  network net = small_network();
  training_options t;
  t.epochs = 5;
  t.batch_size = 20;
  std::vector<std::size_t> seen;
  t.on_epoch = [&](const epoch_metrics& m) {
    seen.push_back(m.epoch);
    return true;
  };
  const training_report report = train(net, p.train_rows, &p.validation_rows, t);
  ASSERT_EQ(report.history.size(), 5u);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 2, 3, 4, 5}));
  for (const epoch_metrics& m : report.history) {
    EXPECT_TRUE(m.has_validation);
    EXPECT_TRUE(std::isfinite(m.train_loss) && m.train_loss > 0.0);
    EXPECT_GE(m.train_accuracy, 0.0);
    EXPECT_LE(m.train_accuracy, 1.0);
    EXPECT_GT(m.samples_per_second, 0.0);
  }
  // 300 training rows in batches of 20: 15 steps per epoch.
  EXPECT_EQ(net.optimizer_steps(), 75u);
  // The last epoch's validation figures are those of the final weights.
  const evaluation now = evaluate(net, p.validation_rows);
  EXPECT_DOUBLE_EQ(report.history.back().validation_loss, now.loss);
  EXPECT_DOUBLE_EQ(report.history.back().validation_accuracy, now.accuracy);
  EXPECT_LT(report.history.back().train_loss, report.history.front().train_loss);
}

TEST(Training, SameSeedSameRunBitwise) {
  small_problem p;
  const auto run = [&] {
    network net = small_network(5);
    training_options t;
    t.epochs = 4;
    t.seed = 123;
    const training_report r = train(net, p.train_rows, &p.validation_rows, t);
    std::vector<double> losses;
    for (const epoch_metrics& m : r.history) {
      losses.push_back(m.train_loss);
      losses.push_back(m.validation_loss);
    }
    std::vector<float> w(net.weights(0).begin(), net.weights(0).end());
    return std::pair{losses, w};
  };
  const auto a = run();
  const auto b = run();
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
}

TEST(Training, PatienceStopsAndKeepsTheBestWeights) {
  small_problem p;
  network net = small_network();
  training_options t;
  t.epochs = 400;
  t.batch_size = 10;
  t.patience = 5;
  const training_report report = train(net, p.train_rows, &p.validation_rows, t);
  ASSERT_TRUE(report.stopped_early)
      << "ran all " << report.history.size() << " epochs, best " << report.best_epoch << " loss "
      << report.best_loss << " last " << report.history.back().validation_loss;
  EXPECT_LT(report.history.size(), 400u);
  EXPECT_EQ(report.history.size(), report.best_epoch + 5);
  EXPECT_TRUE(report.restored_best);
  double best = report.history.front().validation_loss;
  for (const epoch_metrics& m : report.history) best = std::min(best, m.validation_loss);
  EXPECT_DOUBLE_EQ(report.best_loss, best);
  EXPECT_DOUBLE_EQ(report.history[report.best_epoch - 1].validation_loss, best);
  // The saved forward pass is of the restored weights (the last chunk of the validation rows):
  // running that chunk again gives the same outputs bit for bit.
  const std::vector<float> saved(net.outputs().begin(), net.outputs().end());
  const std::size_t rows = p.validation_rows.rows, chunk = rows % 64 == 0 ? 64 : rows % 64;
  ASSERT_EQ(saved.size(), chunk * 10);
  const auto again = net.forward(p.validation_rows.features.last(chunk * 64), chunk);
  ASSERT_TRUE(again);
  EXPECT_EQ(std::vector<float>(again.value.begin(), again.value.end()), saved);
  // The network now holds the best epoch's weights: its validation loss is the best one.
  EXPECT_DOUBLE_EQ(evaluate(net, p.validation_rows).loss, best);
}

TEST(Training, CallbackStopsTraining) {
  small_problem p;
  network net = small_network();
  training_options t;
  t.epochs = 50;
  t.on_epoch = [](const epoch_metrics& m) { return m.epoch < 3; };
  const training_report report = train(net, p.train_rows, nullptr, t);
  EXPECT_TRUE(report.stopped_by_caller);
  EXPECT_EQ(report.history.size(), 3u);
  EXPECT_FALSE(report.history.back().has_validation);
}

TEST(Training, BadDataIsRejectedBeforeAnythingChanges) {
  small_problem p;
  network net = small_network();
  const std::vector<float> before(net.weights(0).begin(), net.weights(0).end());
  const auto expect_error = [&](const training_data& rows, const training_options& t,
                                const char* word) {
    try {
      static_cast<void>(train(net, rows, nullptr, t));
      ADD_FAILURE() << "accepted; expected an error naming " << word;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
    }
  };
  training_options t;
  training_data short_features = p.train_rows;
  short_features.features = short_features.features.first(10);
  expect_error(short_features, t, "feature values");
  std::vector<float> nan_features(p.train_rows.features.begin(), p.train_rows.features.end());
  nan_features[17] = std::nanf("");
  training_data with_nan = p.train_rows;
  with_nan.features = nan_features;
  expect_error(with_nan, t, "NaN");
  std::vector<class_index> bad_labels(p.train_rows.labels.begin(), p.train_rows.labels.end());
  bad_labels[3] = 12;
  training_data past_classes = p.train_rows;
  past_classes.labels = bad_labels;
  expect_error(past_classes, t, "label 12");
  training_options zero_batch;
  zero_batch.batch_size = 0;
  expect_error(p.train_rows, zero_batch, "batch_size");
  training_options too_big;
  too_big.batch_size = 65;
  expect_error(p.train_rows, too_big, "max_batch");
  EXPECT_EQ(std::vector<float>(net.weights(0).begin(), net.weights(0).end()), before);
}

}  // namespace
}  // namespace simdnn::testing
