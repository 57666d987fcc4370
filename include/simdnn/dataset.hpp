// simdnn/dataset.hpp — tabular data for training: a CSV loader and the usual preparation steps.
//
// A dataset holds n rows of numeric features (row-major float, rows() x feature_count()) and
// either one class index per row (classification, with the class names) or target_count()
// numeric targets per row (regression). Every feature and target is finite; every class index is
// below class_count(). The factories and the loader guarantee this, so code that takes a dataset
// need not check again.
//
// CSV dialect accepted by the loader (RFC 4180 plus what real files contain):
//  - Fields are separated by commas; records end in LF, CRLF or a lone CR; the last record may
//    lack a line end. A UTF-8 byte-order mark at the start is skipped; a UTF-16 one is an error.
//  - A field may be quoted: "a, b" keeps its comma, "" inside quotes is one quote, and a line end
//    inside quotes belongs to the field. Spaces and tabs around a field are ignored, not the ones
//    inside quotes. A quote inside an unquoted field is an error.
//  - Empty lines (nothing or only spaces and tabs between line ends) are skipped; they still count
//    for line numbers. An empty field (",,", a trailing comma, "") is an error.
//  - Numbers are parsed with std::from_chars (locale independent): decimal or scientific notation,
//    an optional leading '+' or '-'. NaN, infinities, and values outside float's range (1e39
//    overflows, 1e-50 underflows to zero) are errors; subnormal values are kept.
//  - A NUL byte anywhere is an error (the file is likely binary or UTF-16).
//  - Header row: detected when every feature field of the first row is non-numeric (names); a
//    first row that mixes names and numbers is reported as an error rather than guessed at, so a
//    typo in the first data row is never silently dropped. Numeric column names need
//    header_row::present.
//  - Any line length is accepted (the whole input is read into memory first).
// Every problem throws data_error naming the source, line, column and reason; see below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "simdnn/random.hpp"

namespace simdnn {

// A problem with input data. what() reads "<source>: line <l>, column <c> (<name>): <reason>",
// leaving out the parts that do not apply (whole-file problems have no line; a ragged row names
// the first missing or extra column). Lines and columns count from 1 as an editor shows them;
// column means field number, and the name is the header's when the file has one. Quoted field
// text in reasons is escaped and shortened, so the message is always a single line.
class data_error : public std::runtime_error {
 public:
  data_error(std::string source, std::size_t line, std::size_t column, std::string column_name,
             std::string reason);

  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] std::size_t line() const noexcept { return line_; }      // 0: not applicable
  [[nodiscard]] std::size_t column() const noexcept { return column_; }  // 0: not applicable
  [[nodiscard]] const std::string& column_name() const noexcept { return column_name_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::string source_;
  std::size_t line_;
  std::size_t column_;
  std::string column_name_;
  std::string reason_;
};

enum class task : unsigned char { classification, regression };

enum class header_row : unsigned char {
  detect,   // a header when every feature field of the first row is non-numeric (see above)
  present,  // the first row is a header, whatever it contains
  absent,   // the first row is data
};

enum class class_order : unsigned char {
  // Classes sorted by label: numerically when every label is an integer (so labels 0, 1, 2 keep
  // their values as indices and 10 follows 9), else by byte value. Independent of row order, so a
  // shuffled copy of a file gives the same indices. The default.
  sorted,
  first_seen,  // in the order labels first appear in the file
};

using class_index = std::uint32_t;

struct csv_options {
  task kind = task::classification;
  // Target columns, counted from 0; a negative value counts from the end (-1 is the last column).
  // Classification takes exactly one (the label column); regression one or more numeric columns.
  // All other columns are features, in file order.
  std::vector<std::ptrdiff_t> target_columns{-1};
  header_row header = header_row::detect;
  class_order order = class_order::sorted;
  // Classification only. Empty: classes are found in the data and there must be at least two.
  // Otherwise these are the classes, in index order (e.g. a trained model's), the data may hold
  // any subset of them, and a label outside them is an error ("unknown label").
  std::vector<std::string> known_classes;
};

class dataset {
 public:
  // An empty regression dataset with no rows and no columns.
  dataset() = default;

  // Checked constructors: throw std::invalid_argument when features.size() is not a multiple of
  // feature_count (or feature_count is 0), labels/targets do not have one entry (or target_count
  // entries) per row, a value is not finite, a label is not below class_names.size(), or
  // class_names is empty or holds duplicates. Zero rows are allowed (e.g. an empty test split).
  [[nodiscard]] static dataset classification(std::size_t feature_count,
                                              std::vector<float> features,
                                              std::vector<class_index> labels,
                                              std::vector<std::string> class_names);
  [[nodiscard]] static dataset regression(std::size_t feature_count, std::vector<float> features,
                                          std::size_t target_count, std::vector<float> targets);

  [[nodiscard]] task kind() const noexcept { return kind_; }
  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t feature_count() const noexcept { return feature_count_; }

  // rows() x feature_count(), row-major. The mutable view lets values change in place
  // (standardize); the shape cannot.
  [[nodiscard]] std::span<const float> features() const noexcept { return features_; }
  [[nodiscard]] std::span<float> features() noexcept { return features_; }
  // Features of one row; empty when row >= rows().
  [[nodiscard]] std::span<const float> row(std::size_t row) const noexcept;

  // Classification: one class index per row, and the class names (index = class). Empty for
  // regression.
  [[nodiscard]] std::span<const class_index> labels() const noexcept { return labels_; }
  [[nodiscard]] std::span<const std::string> class_names() const noexcept { return class_names_; }
  [[nodiscard]] std::size_t class_count() const noexcept { return class_names_.size(); }

  // Regression: rows() x target_count(), row-major. Empty, and a count of 0, for classification.
  [[nodiscard]] std::span<const float> targets() const noexcept { return targets_; }
  [[nodiscard]] std::size_t target_count() const noexcept { return target_count_; }

  // Column names: the header's when the file had one, else "column <n>" (n = file column from 1).
  // Targets: the label column's name, or one per regression target. Empty for a dataset built
  // by the factories until set_column_names is called.
  [[nodiscard]] std::span<const std::string> feature_names() const noexcept {
    return feature_names_;
  }
  [[nodiscard]] std::span<const std::string> target_names() const noexcept { return target_names_; }
  // Throws std::invalid_argument unless there is one feature name per feature, and one target
  // name (classification) or one per target (regression).
  void set_column_names(std::vector<std::string> feature_names,
                        std::vector<std::string> target_names);

 private:
  task kind_ = task::regression;
  std::size_t rows_ = 0;
  std::size_t feature_count_ = 0;
  std::size_t target_count_ = 0;
  std::vector<float> features_;
  std::vector<class_index> labels_;
  std::vector<std::string> class_names_;
  std::vector<float> targets_;
  std::vector<std::string> feature_names_;
  std::vector<std::string> target_names_;
};

// Loads a CSV file (see the dialect above). The file's path, as given, names it in errors; a file
// that cannot be opened or read throws data_error with the system's reason.
[[nodiscard]] dataset load_csv(const std::filesystem::path& file, const csv_options& options = {});
// Reads a CSV document from a stream to its end (e.g. std::cin); `source` names it in errors.
[[nodiscard]] dataset read_csv(std::istream& in, std::string_view source,
                               const csv_options& options = {});
// Parses a CSV document held in memory.
[[nodiscard]] dataset parse_csv(std::string_view text, std::string_view source,
                                const csv_options& options = {});
// Options that contradict themselves whatever the data (a classification with other than one
// target column, a column given twice, duplicate or empty known classes, known classes for a
// regression) throw std::invalid_argument instead of data_error.

// Per-feature mean and standard deviation, for z-score standardization x' = (x - mean) / stddev.
// Sums are accumulated in double, two passes (the mean first, then squared deviations), and each
// result is rounded to float once. stddev is the population standard deviation (divides by n).
// A feature that does not vary (stddev 0, or one too small to be a normal float) gets stddev 1,
// so it standardizes to 0 instead of dividing by zero; every stddev is therefore a positive,
// finite float, as network::set_input_standardization requires.
struct feature_statistics {
  std::vector<float> mean;
  std::vector<float> stddev;
};
// Throws std::invalid_argument when the dataset has no rows.
[[nodiscard]] feature_statistics compute_feature_statistics(const dataset& data);
// x := (x - mean) / stddev in place, evaluated in double and rounded once. Throws
// std::invalid_argument if the statistics do not have one entry per feature or a stddev is not
// positive and finite.
void standardize(dataset& data, const feature_statistics& statistics);

// splitmix64 (simdnn/random.hpp) drives every seeded choice below.

// Fisher-Yates shuffle driven by `rng`: the same seed gives the same permutation everywhere.
// Never allocates.
void shuffle(std::span<std::size_t> items, splitmix64& rng) noexcept;

// A seeded hold-out split. round(test_fraction * rows) rows, chosen by a shuffle seeded with
// `seed`, form the test set, the rest the training set; each part keeps the file's row order.
// Class names (and column names) are kept in both parts, so class indices agree. Throws
// std::invalid_argument unless 0 <= test_fraction < 1 and at least one row is left to train on.
struct dataset_split {
  dataset train;
  dataset test;
};
[[nodiscard]] dataset_split split_train_test(const dataset& data, double test_fraction,
                                             std::uint64_t seed);

// One-hot encoding: row i of `out` (labels.size() x class_count, row-major) is 1 at column
// labels[i] and 0 elsewhere. Throws std::invalid_argument, before writing anything, if out has
// the wrong size or a label is not below class_count. Never allocates.
void one_hot(std::span<const class_index> labels, std::size_t class_count, std::span<float> out);
[[nodiscard]] std::vector<float> one_hot(std::span<const class_index> labels,
                                         std::size_t class_count);

}  // namespace simdnn
