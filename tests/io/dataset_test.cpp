// tests/io/dataset_test.cpp — the dataset type and its preparation helpers: checked factories,
// standardization against a long double reference, the seeded generator, shuffle and split
// determinism, one-hot encoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <set>
#include <vector>

#include "simdnn/dataset.hpp"

namespace {

using simdnn::class_index;
using simdnn::dataset;

// n rows whose feature 0 is the row's index (so rows can be traced through a split) and feature
// 1 is its square; labels cycle through three classes.
dataset numbered_rows(std::size_t n) {
  std::vector<float> features;
  std::vector<class_index> labels;
  for (std::size_t i = 0; i < n; ++i) {
    features.push_back(static_cast<float>(i));
    features.push_back(static_cast<float>(i * i));
    labels.push_back(static_cast<class_index>(i % 3));
  }
  return dataset::classification(2, std::move(features), std::move(labels), {"a", "b", "c"});
}

std::vector<float> column(const dataset& data, std::size_t feature) {
  std::vector<float> values;
  for (std::size_t r = 0; r < data.rows(); ++r) values.push_back(data.row(r)[feature]);
  return values;
}

// Reference statistics in long double, textbook two-pass, population variance.
struct reference_statistics {
  long double mean;
  long double stddev;
};

reference_statistics reference(const std::vector<float>& values) {
  long double sum = 0;
  for (const float v : values) sum += v;
  const long double mean = sum / static_cast<long double>(values.size());
  long double squares = 0;
  for (const float v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<long double>(values.size()))};
}

// |a - b| in units of float's spacing at b: one rounding to float is within 0.5.
double float_ulps(float a, long double b) {
  const auto spacing = static_cast<long double>(
      std::nextafter(static_cast<float>(std::fabs(b)), std::numeric_limits<float>::infinity()) -
      static_cast<float>(std::fabs(b)));
  return static_cast<double>(std::fabs(static_cast<long double>(a) - b) / spacing);
}

// ------------------------------------------------------------------------------------------------
// Factories
// ------------------------------------------------------------------------------------------------

TEST(dataset_factory, classification_checks_its_invariant) {
  using V = std::vector<float>;
  using L = std::vector<class_index>;
  using N = std::vector<std::string>;
  EXPECT_THROW((void)dataset::classification(0, V{}, L{}, N{"a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, 2, 3}, L{0}, N{"a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, 2}, L{0, 0}, N{"a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, 2}, L{1}, N{"a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, 2}, L{0}, N{}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, 2}, L{0}, N{"a", "a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{1, NAN}, L{0}, N{"a"}), std::invalid_argument);
  EXPECT_THROW((void)dataset::classification(2, V{INFINITY, 1}, L{0}, N{"a"}),
               std::invalid_argument);
  const dataset empty = dataset::classification(2, V{}, L{}, N{"a", "b"});
  EXPECT_EQ(empty.rows(), 0u);
  EXPECT_EQ(empty.class_count(), 2u);
}

TEST(dataset_factory, regression_checks_its_invariant) {
  using V = std::vector<float>;
  EXPECT_THROW((void)dataset::regression(1, V{1, 2}, 0, V{}), std::invalid_argument);
  EXPECT_THROW((void)dataset::regression(1, V{1, 2}, 1, V{1}), std::invalid_argument);
  EXPECT_THROW((void)dataset::regression(1, V{1, 2}, 2, V{1, 2, 3}), std::invalid_argument);
  EXPECT_THROW((void)dataset::regression(1, V{1, 2}, 1, V{1, NAN}), std::invalid_argument);
  const dataset data = dataset::regression(1, V{1, 2}, 2, V{1, 2, 3, 4});
  EXPECT_EQ(data.rows(), 2u);
  EXPECT_EQ(data.target_count(), 2u);
  EXPECT_TRUE(data.labels().empty());
  EXPECT_TRUE(data.row(2).empty());
}

TEST(dataset_factory, column_names_must_fit) {
  dataset data = numbered_rows(3);
  EXPECT_THROW(data.set_column_names({"x"}, {"label"}), std::invalid_argument);
  EXPECT_THROW(data.set_column_names({"x", "y"}, {}), std::invalid_argument);
  data.set_column_names({"x", "y"}, {"label"});
  EXPECT_EQ(data.feature_names()[1], "y");
}

// ------------------------------------------------------------------------------------------------
// Standardization
// ------------------------------------------------------------------------------------------------

TEST(standardization, statistics_match_long_double_reference) {
  // A large offset with a small spread: float accumulation would lose most digits here.
  simdnn::splitmix64 rng(42);
  std::vector<float> features;
  constexpr std::size_t rows = 10000;
  for (std::size_t i = 0; i < rows; ++i) {
    const double unit = static_cast<double>(rng.next() >> 11) * 0x1p-53;  // [0, 1)
    features.push_back(static_cast<float>(1e4 + unit));
    features.push_back(static_cast<float>(-3.0 + 1e3 * unit));
  }
  const dataset data = dataset::regression(2, features, 1, std::vector<float>(rows, 0.0f));
  const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(data);
  for (std::size_t f = 0; f < 2; ++f) {
    const reference_statistics expected = reference(column(data, f));
    // Double sums of 10^4 floats are exact to far below float precision: the only error left
    // is the final rounding to float, half an ulp, allowed one.
    EXPECT_LE(float_ulps(statistics.mean[f], expected.mean), 1.0) << "feature " << f;
    EXPECT_LE(float_ulps(statistics.stddev[f], expected.stddev), 1.0) << "feature " << f;
  }
}

TEST(standardization, iris_statistics_match_reference) {
  const dataset iris = simdnn::load_csv(SIMDNN_SOURCE_DIR "/data/iris.csv");
  const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(iris);
  for (std::size_t f = 0; f < iris.feature_count(); ++f) {
    const reference_statistics expected = reference(column(iris, f));
    EXPECT_LE(float_ulps(statistics.mean[f], expected.mean), 1.0) << "feature " << f;
    EXPECT_LE(float_ulps(statistics.stddev[f], expected.stddev), 1.0) << "feature " << f;
  }
  // Population standard deviation, not the sample one: sepal length's is 0.8253, not 0.8281.
  EXPECT_NEAR(statistics.stddev[0], 0.825301, 1e-5);
}

TEST(standardization, zero_variance_feature_gets_stddev_one) {
  const dataset data = dataset::regression(2, {7.25f, 1, 7.25f, 2, 7.25f, 3}, 1, {0, 0, 0});
  const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(data);
  EXPECT_EQ(statistics.mean[0], 7.25f);
  EXPECT_EQ(statistics.stddev[0], 1.0f);
  dataset copy = data;
  simdnn::standardize(copy, statistics);
  EXPECT_EQ(column(copy, 0), (std::vector<float>{0, 0, 0}));
}

TEST(standardization, values_are_the_double_result_rounded_once) {
  dataset iris = simdnn::load_csv(SIMDNN_SOURCE_DIR "/data/iris.csv");
  const dataset raw = iris;
  const simdnn::feature_statistics statistics = simdnn::compute_feature_statistics(iris);
  simdnn::standardize(iris, statistics);
  for (std::size_t r = 0; r < iris.rows(); ++r) {
    for (std::size_t f = 0; f < iris.feature_count(); ++f) {
      const double expected =
          (static_cast<double>(raw.row(r)[f]) - statistics.mean[f]) / statistics.stddev[f];
      ASSERT_EQ(iris.row(r)[f], static_cast<float>(expected)) << "row " << r << " feature " << f;
    }
  }
  // And the result has mean 0 and standard deviation 1, up to float rounding of the inputs.
  for (std::size_t f = 0; f < iris.feature_count(); ++f) {
    const reference_statistics after = reference(column(iris, f));
    EXPECT_NEAR(static_cast<double>(after.mean), 0.0, 1e-6) << "feature " << f;
    EXPECT_NEAR(static_cast<double>(after.stddev), 1.0, 1e-6) << "feature " << f;
  }
}

TEST(standardization, rejects_bad_statistics) {
  dataset data = numbered_rows(4);
  EXPECT_THROW(simdnn::standardize(data, {{0}, {1}}), std::invalid_argument);
  EXPECT_THROW(simdnn::standardize(data, {{0, 0}, {1, 0}}), std::invalid_argument);
  EXPECT_THROW(simdnn::standardize(data, {{0, 0}, {1, -1}}), std::invalid_argument);
  EXPECT_THROW(simdnn::standardize(data, {{0, NAN}, {1, 1}}), std::invalid_argument);
  EXPECT_THROW(simdnn::standardize(data, {{0, 0}, {1, INFINITY}}), std::invalid_argument);
  EXPECT_THROW((void)simdnn::compute_feature_statistics(numbered_rows(0)), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// Generator, shuffle, split
// ------------------------------------------------------------------------------------------------

TEST(splitmix64, published_reference_values) {
  // From the reference implementation (Vigna, splitmix64.c), as used by Java's SplittableRandom.
  simdnn::splitmix64 zero(0);
  EXPECT_EQ(zero.next(), 0xE220A8397B1DCDAFu);
  EXPECT_EQ(zero.next(), 0x6E789E6AA1B965F4u);
  EXPECT_EQ(zero.next(), 0x06C45D188009454Fu);
  simdnn::splitmix64 other(1234567);
  EXPECT_EQ(other.next(), 6457827717110365317u);
  EXPECT_EQ(other.next(), 3203168211198807973u);
  EXPECT_EQ(other.next(), 9817491932198370423u);
}

TEST(splitmix64, below_is_in_range_and_even) {
  simdnn::splitmix64 rng(7);
  EXPECT_EQ(rng.below(0), 0u);
  EXPECT_EQ(rng.below(1), 0u);
  // Chi-square over 6 buckets, fixed seed: deterministic, so no flakiness; 20.5 is the
  // p = 0.001 critical value for 5 degrees of freedom.
  constexpr std::size_t buckets = 6;
  constexpr std::size_t draws = 60000;
  std::vector<std::size_t> counts(buckets, 0);
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint64_t value = rng.below(buckets);
    ASSERT_LT(value, buckets);
    ++counts[value];
  }
  double chi_square = 0;
  const double expected = static_cast<double>(draws) / buckets;
  for (const std::size_t count : counts) {
    const double difference = static_cast<double>(count) - expected;
    chi_square += difference * difference / expected;
  }
  EXPECT_LT(chi_square, 20.5);
  // A bound just above 2^63 rejects about half the draws; results must still be below it.
  const std::uint64_t large = (std::uint64_t{1} << 63) + 12345;
  for (int i = 0; i < 1000; ++i) ASSERT_LT(rng.below(large), large);
}

TEST(shuffle, deterministic_permutation) {
  std::vector<std::size_t> a(100);
  std::iota(a.begin(), a.end(), std::size_t{0});
  std::vector<std::size_t> b = a;
  std::vector<std::size_t> c = a;
  simdnn::splitmix64 rng_a(3);
  simdnn::splitmix64 rng_b(3);
  simdnn::splitmix64 rng_c(4);
  simdnn::shuffle(a, rng_a);
  simdnn::shuffle(b, rng_b);
  simdnn::shuffle(c, rng_c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<std::size_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> identity(100);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(a, identity);
  std::vector<std::size_t> none;
  simdnn::shuffle(none, rng_a);
  std::vector<std::size_t> one = {5};
  simdnn::shuffle(one, rng_a);
  EXPECT_EQ(one[0], 5u);
}

TEST(split, sizes_disjoint_complete_and_in_file_order) {
  const dataset data = numbered_rows(150);
  const simdnn::dataset_split split = simdnn::split_train_test(data, 0.2, 1);
  EXPECT_EQ(split.train.rows(), 120u);
  EXPECT_EQ(split.test.rows(), 30u);
  const std::vector<float> train_ids = column(split.train, 0);
  const std::vector<float> test_ids = column(split.test, 0);
  EXPECT_TRUE(std::is_sorted(train_ids.begin(), train_ids.end()));
  EXPECT_TRUE(std::is_sorted(test_ids.begin(), test_ids.end()));
  std::set<float> all(train_ids.begin(), train_ids.end());
  all.insert(test_ids.begin(), test_ids.end());
  EXPECT_EQ(all.size(), 150u);
  // Each row moves whole: features and label together.
  for (const dataset* part : {&split.train, &split.test}) {
    for (std::size_t r = 0; r < part->rows(); ++r) {
      const auto id = static_cast<std::size_t>(part->row(r)[0]);
      EXPECT_EQ(part->row(r)[1], static_cast<float>(id * id));
      EXPECT_EQ(part->labels()[r], id % 3);
    }
    EXPECT_EQ(part->class_count(), 3u);
  }
}

TEST(split, same_seed_same_split_other_seed_other_split) {
  const dataset data = numbered_rows(150);
  const auto first = simdnn::split_train_test(data, 0.2, 1);
  const auto again = simdnn::split_train_test(data, 0.2, 1);
  const auto other = simdnn::split_train_test(data, 0.2, 2);
  EXPECT_EQ(column(first.test, 0), column(again.test, 0));
  EXPECT_EQ(column(first.train, 0), column(again.train, 0));
  EXPECT_NE(column(first.test, 0), column(other.test, 0));
  // Seed 1's test rows, pinned: the split is fully defined by SplitMix64 and Fisher-Yates, so it
  // must not change between versions, compilers or platforms (this is what --seed promises).
  const std::vector<float> pinned = {14,  16,  21,  30,  31,  42,  48,  50,  54,  60,
                                     64,  70,  79,  81,  85,  88,  92,  101, 107, 116,
                                     119, 123, 124, 125, 131, 132, 133, 138, 144, 147};
  EXPECT_EQ(column(first.test, 0), pinned);
}

TEST(split, rounding_and_edges) {
  EXPECT_EQ(simdnn::split_train_test(numbered_rows(10), 0.25, 1).test.rows(), 3u);  // 2.5 -> 3
  EXPECT_EQ(simdnn::split_train_test(numbered_rows(10), 0.0, 1).test.rows(), 0u);
  EXPECT_EQ(simdnn::split_train_test(numbered_rows(10), 0.94, 1).train.rows(), 1u);
  EXPECT_THROW((void)simdnn::split_train_test(numbered_rows(10), 0.96, 1), std::invalid_argument);
  EXPECT_THROW((void)simdnn::split_train_test(numbered_rows(10), 1.0, 1), std::invalid_argument);
  EXPECT_THROW((void)simdnn::split_train_test(numbered_rows(10), -0.1, 1), std::invalid_argument);
  EXPECT_THROW((void)simdnn::split_train_test(numbered_rows(10), NAN, 1), std::invalid_argument);
  EXPECT_THROW((void)simdnn::split_train_test(numbered_rows(0), 0.0, 1), std::invalid_argument);
}

TEST(split, regression_targets_follow_their_rows) {
  const dataset data = dataset::regression(1, {0, 1, 2, 3, 4, 5}, 2,
                                           {0, 0, 10, 20, 20, 40, 30, 60, 40, 80, 50, 100});
  const auto split = simdnn::split_train_test(data, 0.5, 9);
  for (const dataset* part : {&split.train, &split.test}) {
    for (std::size_t r = 0; r < part->rows(); ++r) {
      EXPECT_EQ(part->targets()[2 * r], 10 * part->row(r)[0]);
      EXPECT_EQ(part->targets()[2 * r + 1], 20 * part->row(r)[0]);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// One-hot
// ------------------------------------------------------------------------------------------------

TEST(one_hot, encodes_rows) {
  const std::vector<class_index> labels = {2, 0, 1};
  EXPECT_EQ(simdnn::one_hot(labels, 3), (std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
  EXPECT_TRUE(simdnn::one_hot(std::vector<class_index>{}, 3).empty());
}

TEST(one_hot, rejects_before_writing) {
  const std::vector<class_index> labels = {2, 0, 3};
  std::vector<float> out(9, -7.0f);
  EXPECT_THROW(simdnn::one_hot(labels, 3, out), std::invalid_argument);  // label 3
  EXPECT_EQ(out, std::vector<float>(9, -7.0f));
  std::vector<float> small(8, -7.0f);
  EXPECT_THROW(simdnn::one_hot(std::vector<class_index>{0, 1, 2}, 3, small), std::invalid_argument);
  EXPECT_EQ(small, std::vector<float>(8, -7.0f));
}

}  // namespace
