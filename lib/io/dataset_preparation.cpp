// lib/io/dataset_preparation.cpp — the steps between loading a dataset and training on it:
// feature statistics and standardization, shuffling, the train/test split, one-hot targets.
//
// They work on any dataset, however it was built, so they live apart from the CSV loader. Each is
// deterministic: statistics are accumulated in double in a fixed order, and shuffles and splits
// draw from a seeded splitmix64, so the same data and seed give the same result.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "io/checks.hpp"
#include "simdnn/dataset.hpp"

namespace simdnn {

using io::all_finite;
using io::require;

feature_statistics compute_feature_statistics(const dataset& data) {
  require(data.rows() > 0, "compute_feature_statistics: the dataset has no rows");
  const std::size_t rows = data.rows();
  const std::size_t width = data.feature_count();
  const std::span<const float> x = data.features();
  std::vector<double> mean(width, 0.0);
  std::vector<double> squares(width, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t f = 0; f < width; ++f) mean[f] += x[r * width + f];
  }
  for (double& m : mean) m /= static_cast<double>(rows);
  // Second pass over deviations: no cancellation, and a constant column gives exactly 0.
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t f = 0; f < width; ++f) {
      const double deviation = x[r * width + f] - mean[f];
      squares[f] += deviation * deviation;
    }
  }
  feature_statistics statistics;
  statistics.mean.resize(width);
  statistics.stddev.resize(width);
  for (std::size_t f = 0; f < width; ++f) {
    statistics.mean[f] = static_cast<float>(mean[f]);
    const auto stddev = static_cast<float>(std::sqrt(squares[f] / static_cast<double>(rows)));
    statistics.stddev[f] = std::isnormal(stddev) ? stddev : 1.0f;
  }
  return statistics;
}

void standardize(dataset& data, const feature_statistics& statistics) {
  const std::size_t width = data.feature_count();
  require(statistics.mean.size() == width && statistics.stddev.size() == width,
          "standardize: need one mean and one stddev per feature");
  require(all_finite(statistics.mean), "standardize: a mean is not finite");
  require(std::all_of(statistics.stddev.begin(), statistics.stddev.end(),
                      [](float s) { return std::isfinite(s) && s > 0.0f; }),
          "standardize: a stddev is not positive and finite");
  const std::span<float> x = data.features();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t f = i % width;
    x[i] =
        static_cast<float>((static_cast<double>(x[i]) - statistics.mean[f]) / statistics.stddev[f]);
  }
}

void shuffle(std::span<std::size_t> items, splitmix64& rng) noexcept {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

dataset_split split_train_test(const dataset& data, double test_fraction, std::uint64_t seed) {
  require(test_fraction >= 0.0 && test_fraction < 1.0,
          "split_train_test: test_fraction must lie in [0, 1)");
  const std::size_t rows = data.rows();
  const auto test_rows =
      static_cast<std::size_t>(std::floor(test_fraction * static_cast<double>(rows) + 0.5));
  require(test_rows < rows, "split_train_test: no rows would be left to train on");

  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  splitmix64 rng(seed);
  shuffle(order, rng);
  std::vector<bool> in_test(rows, false);
  for (std::size_t i = 0; i < test_rows; ++i) in_test[order[i]] = true;

  const std::size_t width = data.feature_count();
  const std::size_t target_width = data.target_count();
  std::vector<float> features[2];
  std::vector<float> targets[2];
  std::vector<class_index> labels[2];
  for (std::size_t part = 0; part < 2; ++part) {
    const std::size_t part_rows = part == 1 ? test_rows : rows - test_rows;
    features[part].reserve(part_rows * width);
    targets[part].reserve(part_rows * target_width);
    labels[part].reserve(data.kind() == task::classification ? part_rows : 0);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t part = in_test[r] ? 1 : 0;
    const std::span<const float> x = data.row(r);
    features[part].insert(features[part].end(), x.begin(), x.end());
    if (data.kind() == task::classification) {
      labels[part].push_back(data.labels()[r]);
    } else {
      const auto t = data.targets().subspan(r * target_width, target_width);
      targets[part].insert(targets[part].end(), t.begin(), t.end());
    }
  }

  auto make_part = [&](std::size_t part) {
    dataset result;
    if (data.kind() == task::classification) {
      result = dataset::classification(width, std::move(features[part]), std::move(labels[part]),
                                       {data.class_names().begin(), data.class_names().end()});
    } else {
      result = dataset::regression(width, std::move(features[part]), target_width,
                                   std::move(targets[part]));
    }
    if (!data.feature_names().empty()) {
      result.set_column_names({data.feature_names().begin(), data.feature_names().end()},
                              {data.target_names().begin(), data.target_names().end()});
    }
    return result;
  };
  return dataset_split{make_part(0), make_part(1)};
}

namespace {

bool fits_one_hot(std::size_t rows, std::size_t class_count) noexcept {
  return class_count == 0 || rows <= std::numeric_limits<std::size_t>::max() / class_count;
}

}  // namespace

void one_hot(std::span<const class_index> labels, std::size_t class_count, std::span<float> out) {
  require(fits_one_hot(labels.size(), class_count), "one_hot: size overflow");
  require(out.size() == labels.size() * class_count,
          "one_hot: out must hold labels.size() * class_count floats");
  require(std::all_of(labels.begin(), labels.end(),
                      [&](class_index label) { return label < class_count; }),
          "one_hot: a label is not below class_count");
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::size_t i = 0; i < labels.size(); ++i) out[i * class_count + labels[i]] = 1.0f;
}

std::vector<float> one_hot(std::span<const class_index> labels, std::size_t class_count) {
  require(fits_one_hot(labels.size(), class_count), "one_hot: size overflow");
  std::vector<float> out(labels.size() * class_count);
  one_hot(labels, class_count, out);
  return out;
}

}  // namespace simdnn
