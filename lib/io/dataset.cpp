// lib/io/dataset.cpp — the simdnn::dataset class: its two factories and the column names.
//
// The factories are the only way to build a dataset, so they check the invariants
// simdnn/dataset.hpp promises (finite values, labels below the class count, unique class names)
// in one place; the CSV loader and split_train_test build their results through them.
#include <algorithm>
#include <string_view>
#include <utility>

#include "io/checks.hpp"
#include "simdnn/dataset.hpp"

namespace simdnn {

using io::all_finite;
using io::require;

dataset dataset::classification(std::size_t feature_count, std::vector<float> features,
                                std::vector<class_index> labels,
                                std::vector<std::string> class_names) {
  require(feature_count > 0, "dataset: feature_count must be positive");
  require(features.size() % feature_count == 0,
          "dataset: features.size() is not a multiple of feature_count");
  const std::size_t rows = features.size() / feature_count;
  require(labels.size() == rows, "dataset: need one label per row");
  require(!class_names.empty(), "dataset: a classification needs class names");
  {
    std::vector<std::string_view> sorted_names(class_names.begin(), class_names.end());
    std::sort(sorted_names.begin(), sorted_names.end());
    require(std::adjacent_find(sorted_names.begin(), sorted_names.end()) == sorted_names.end(),
            "dataset: duplicate class name");
  }
  require(std::all_of(labels.begin(), labels.end(),
                      [&](class_index label) { return label < class_names.size(); }),
          "dataset: a label is not below the number of classes");
  require(all_finite(features), "dataset: features must be finite");
  dataset data;
  data.kind_ = task::classification;
  data.rows_ = rows;
  data.feature_count_ = feature_count;
  data.features_ = std::move(features);
  data.labels_ = std::move(labels);
  data.class_names_ = std::move(class_names);
  return data;
}

dataset dataset::regression(std::size_t feature_count, std::vector<float> features,
                            std::size_t target_count, std::vector<float> targets) {
  require(feature_count > 0, "dataset: feature_count must be positive");
  require(target_count > 0, "dataset: target_count must be positive");
  require(features.size() % feature_count == 0,
          "dataset: features.size() is not a multiple of feature_count");
  const std::size_t rows = features.size() / feature_count;
  require(targets.size() / target_count == rows && targets.size() % target_count == 0,
          "dataset: need target_count targets per row");
  require(all_finite(features), "dataset: features must be finite");
  require(all_finite(targets), "dataset: targets must be finite");
  dataset data;
  data.kind_ = task::regression;
  data.rows_ = rows;
  data.feature_count_ = feature_count;
  data.target_count_ = target_count;
  data.features_ = std::move(features);
  data.targets_ = std::move(targets);
  return data;
}

std::span<const float> dataset::row(std::size_t row) const noexcept {
  if (row >= rows_) return {};
  return std::span<const float>(features_).subspan(row * feature_count_, feature_count_);
}

void dataset::set_column_names(std::vector<std::string> feature_names,
                               std::vector<std::string> target_names) {
  require(feature_names.size() == feature_count_, "dataset: need one name per feature");
  const std::size_t expected_targets = kind_ == task::classification ? 1 : target_count_;
  require(target_names.size() == expected_targets,
          "dataset: need one target name (classification) or one per target (regression)");
  feature_names_ = std::move(feature_names);
  target_names_ = std::move(target_names);
}

}  // namespace simdnn
