// lib/io/csv.cpp — the CSV loader and the dataset helpers of simdnn/dataset.hpp.
//
// One translation unit for all of dataset.hpp (the build lists io/csv.cpp as the io source): the
// tokenizer (csv_reader.hpp), the loader that maps fields to features and targets, and the
// preparation helpers (statistics, split, shuffle, one-hot).
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <istream>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <utility>

#include "io/checks.hpp"
#include "io/csv_reader.hpp"
#include "simdnn/dataset.hpp"

namespace simdnn {

namespace {

std::string compose_message(const std::string& source, std::size_t line, std::size_t column,
                            const std::string& column_name, const std::string& reason) {
  std::string message = source;
  message += ": ";
  if (line != 0) {
    message += "line " + std::to_string(line);
    message += column != 0 ? ", " : ": ";
  }
  if (column != 0) {
    message += "column " + std::to_string(column);
    if (!column_name.empty()) message += " (" + column_name + ")";
    message += ": ";
  }
  message += reason;
  return message;
}

}  // namespace

data_error::data_error(std::string source, std::size_t line, std::size_t column,
                       std::string column_name, std::string reason)
    : std::runtime_error(compose_message(source, line, column, column_name, reason)),
      source_(std::move(source)),
      line_(line),
      column_(column),
      column_name_(std::move(column_name)),
      reason_(std::move(reason)) {}

// ------------------------------------------------------------------------------------------------
// Tokenizer
// ------------------------------------------------------------------------------------------------
namespace io {

namespace {

// Enough to recognize a field; a field may be a megabyte long.
constexpr std::size_t field_excerpt_bytes = 40;
constexpr std::size_t column_name_bytes = 64;

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
bool is_line_end(char c) noexcept { return c == '\n' || c == '\r'; }

}  // namespace

std::string escape_for_message(std::string_view text, std::size_t max_bytes) {
  std::string out;
  const std::size_t shown = std::min(text.size(), max_bytes);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        // Bytes >= 0x80 pass through: UTF-8 names stay readable.
        if (byte < 0x20 || byte == 0x7f) {
          constexpr char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[byte >> 4];
          out += hex[byte & 0xf];
        } else {
          out += static_cast<char>(byte);
        }
    }
  }
  if (shown < text.size()) out += "...";
  return out;
}

namespace {

std::string describe_byte(char c) {
  return "character " + quote_for_message(std::string_view(&c, 1));
}

}  // namespace

void diagnostics::fail(std::size_t line, std::size_t column, std::string reason) const {
  std::string column_name;
  if (column != 0 && column <= column_names_.size()) {
    column_name = escape_for_message(column_names_[column - 1], column_name_bytes);
  }
  throw data_error(escape_for_message(source_), line, column, std::move(column_name),
                   std::move(reason));
}

std::string quote_for_message(std::string_view text) {
  return '"' + escape_for_message(text, field_excerpt_bytes) + '"';
}

void unescape(const raw_field& field, std::string& out) {
  out.clear();
  if (!field.has_escaped_quote) {
    out.assign(field.text);
    return;
  }
  for (std::size_t i = 0; i < field.text.size(); ++i) {
    out += field.text[i];
    // The reader only lets quotes through in pairs.
    if (field.text[i] == '"') ++i;
  }
}

bool csv_reader::consume_line_end() noexcept {
  if (pos_ >= text_.size() || !is_line_end(text_[pos_])) return false;
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
  return true;
}

void csv_reader::skip_blanks() noexcept {
  while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
}

bool csv_reader::skip_empty_lines() noexcept {
  for (;;) {
    std::size_t probe = pos_;
    while (probe < text_.size() && is_blank(text_[probe])) ++probe;
    if (probe == text_.size()) {
      pos_ = probe;
      return false;
    }
    if (!is_line_end(text_[probe])) return true;
    pos_ = probe;
    consume_line_end();
  }
}

raw_field csv_reader::read_quoted_field(std::size_t column) {
  raw_field field;
  field.line = line_;
  field.quoted = true;
  ++pos_;  // the opening quote
  const std::size_t begin = pos_;
  for (;;) {
    if (pos_ >= text_.size()) {
      diagnostics_.fail(field.line, column,
                        "unterminated quoted field: the closing quote is missing");
    }
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field.has_escaped_quote = true;
        pos_ += 2;
        continue;
      }
      break;
    }
    if (c == '\0') diagnostics_.fail(line_, column, "NUL byte (binary or UTF-16 data?)");
    if (is_line_end(c)) {
      consume_line_end();  // a line end inside quotes is part of the field, but still a line
      continue;
    }
    ++pos_;
  }
  field.text = text_.substr(begin, pos_ - begin);
  ++pos_;  // the closing quote
  skip_blanks();
  if (pos_ < text_.size() && text_[pos_] != ',' && !is_line_end(text_[pos_])) {
    diagnostics_.fail(line_, column,
                      describe_byte(text_[pos_]) + " after a closing quote (expected ',' or a "
                                                   "line end)");
  }
  return field;
}

raw_field csv_reader::read_plain_field(std::size_t column) {
  raw_field field;
  field.line = line_;
  const std::size_t begin = pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ',' || is_line_end(c)) break;
    if (c == '"') {
      diagnostics_.fail(line_, column,
                        "quote inside an unquoted field (quote the whole field, doubling inner "
                        "quotes)");
    }
    if (c == '\0') diagnostics_.fail(line_, column, "NUL byte (binary or UTF-16 data?)");
    ++pos_;
  }
  std::size_t end = pos_;
  while (end > begin && is_blank(text_[end - 1])) --end;
  field.text = text_.substr(begin, end - begin);
  return field;
}

bool csv_reader::next(std::vector<raw_field>& fields) {
  fields.clear();
  if (!skip_empty_lines()) return false;
  record_line_ = line_;
  for (;;) {
    const std::size_t column = fields.size() + 1;
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      fields.push_back(read_quoted_field(column));
    } else {
      fields.push_back(read_plain_field(column));
    }
    if (pos_ >= text_.size()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    consume_line_end();
    return true;
  }
}

// ------------------------------------------------------------------------------------------------
// Numbers
// ------------------------------------------------------------------------------------------------

namespace {

// from_chars does not take a leading '+'; accept one where a number follows (not "+-1").
std::string_view strip_plus(std::string_view token) noexcept {
  if (token.size() > 1 && token[0] == '+' &&
      ((token[1] >= '0' && token[1] <= '9') || token[1] == '.')) {
    token.remove_prefix(1);
  }
  return token;
}

}  // namespace

number_status parse_float(std::string_view token, float& out) noexcept {
  if (token.empty()) return number_status::empty;
  token = strip_plus(token);
  const char* const first = token.data();
  const char* const last = first + token.size();
  float value = 0.0f;
  const auto [end, error] = std::from_chars(first, last, value, std::chars_format::general);
  if (end != last || error == std::errc::invalid_argument) return number_status::not_a_number;
  if (error == std::errc::result_out_of_range) {
    // Tell overflow from underflow by reading the token again as a double; if even that is out
    // of range, the exponent's sign decides.
    double wide = 0.0;
    const auto wide_result = std::from_chars(first, last, wide, std::chars_format::general);
    if (wide_result.ec == std::errc{}) {
      return std::fabs(wide) > 1.0 ? number_status::overflow : number_status::underflow;
    }
    const bool negative_exponent = token.find("e-") != std::string_view::npos ||
                                   token.find("E-") != std::string_view::npos;
    return negative_exponent ? number_status::underflow : number_status::overflow;
  }
  if (std::isnan(value)) return number_status::nan;
  if (std::isinf(value)) return number_status::infinite;
  out = value;
  return number_status::ok;
}

std::string number_error_reason(number_status status, std::string_view token) {
  const std::string quoted = quote_for_message(token);
  switch (status) {
    case number_status::ok: return "no error";
    case number_status::empty: return "empty field";
    case number_status::not_a_number: return "non-numeric field " + quoted;
    case number_status::nan: return "NaN is not allowed: " + quoted;
    case number_status::infinite: return "infinity is not allowed: " + quoted;
    case number_status::overflow:
      return "number out of range: " + quoted + " overflows float (largest 3.4028235e38)";
    case number_status::underflow:
      return "number out of range: " + quoted +
             " underflows float to zero (smallest nonzero 1.4e-45)";
  }
  return "unknown number error";
}

bool parse_integer(std::string_view token, long long& out) noexcept {
  if (token.empty()) return false;
  const char* const last = token.data() + token.size();
  const auto [end, error] = std::from_chars(token.data(), last, out);
  return error == std::errc{} && end == last;
}

}  // namespace io

// ------------------------------------------------------------------------------------------------
// dataset
// ------------------------------------------------------------------------------------------------

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

// ------------------------------------------------------------------------------------------------
// Loader
// ------------------------------------------------------------------------------------------------

namespace {

using io::number_status;
using io::raw_field;

void validate_options(const csv_options& options) {
  if (options.kind == task::classification) {
    require(options.target_columns.size() == 1,
            "csv_options: a classification takes exactly one target (label) column");
  } else {
    require(!options.target_columns.empty(),
            "csv_options: a regression needs at least one target column");
    require(options.known_classes.empty(), "csv_options: known_classes is for classification");
  }
  std::vector<std::string_view> names(options.known_classes.begin(),
                                      options.known_classes.end());
  std::sort(names.begin(), names.end());
  require(std::adjacent_find(names.begin(), names.end()) == names.end(),
          "csv_options: duplicate name in known_classes");
  require(names.empty() || !names.front().empty(), "csv_options: empty name in known_classes");
}

// Which file columns (from 0) are targets, in the order the options give them.
std::vector<std::size_t> resolve_target_columns(const csv_options& options,
                                                std::size_t column_count, std::size_t line,
                                                const io::diagnostics& diagnostics) {
  std::vector<std::size_t> columns;
  const auto count = static_cast<std::ptrdiff_t>(column_count);
  for (const std::ptrdiff_t given : options.target_columns) {
    const std::ptrdiff_t resolved = given < 0 ? count + given : given;
    if (resolved < 0 || resolved >= count) {
      diagnostics.fail(line, 0,
                       "target column " + std::to_string(given) + " does not exist: rows have " +
                           std::to_string(column_count) + " columns");
    }
    const auto column = static_cast<std::size_t>(resolved);
    require(std::find(columns.begin(), columns.end(), column) == columns.end(),
            "csv_options: the same target column is given twice");
    columns.push_back(column);
  }
  if (columns.size() >= column_count) {
    diagnostics.fail(line, 0, "no feature columns: every column is a target");
  }
  return columns;
}

bool field_is_number(const raw_field& field) {
  float ignored = 0.0f;
  if (field.has_escaped_quote) return false;
  const number_status status = io::parse_float(field.text, ignored);
  return status != number_status::empty && status != number_status::not_a_number;
}

// Classes seen so far, with a provisional index in first-seen order; or the fixed known classes.
class class_table {
 public:
  explicit class_table(const std::vector<std::string>& known) : fixed_(!known.empty()) {
    for (const std::string& name : known) add(name);
  }

  // The label's index, or false when the classes are fixed and it is not one of them.
  bool index_of(const std::string& label, class_index& index) {
    if (const auto found = indices_.find(label); found != indices_.end()) {
      index = found->second;
      return true;
    }
    if (fixed_) return false;
    index = add(label);
    return true;
  }

  [[nodiscard]] bool fixed() const noexcept { return fixed_; }
  [[nodiscard]] std::vector<std::string>& names() noexcept { return names_; }

 private:
  class_index add(const std::string& name) {
    const auto index = static_cast<class_index>(names_.size());
    indices_.emplace(name, index);
    names_.push_back(name);
    return index;
  }

  bool fixed_;
  std::map<std::string, class_index, std::less<>> indices_;
  std::vector<std::string> names_;
};

// Reorders classes found in first-seen order into sorted order and relabels the rows.
void sort_classes(std::vector<std::string>& names, std::vector<class_index>& labels) {
  std::vector<long long> values(names.size());
  bool all_integers = true;
  for (std::size_t i = 0; i < names.size() && all_integers; ++i) {
    all_integers = io::parse_integer(names[i], values[i]);
  }
  std::vector<class_index> order(names.size());
  std::iota(order.begin(), order.end(), class_index{0});
  std::sort(order.begin(), order.end(), [&](class_index a, class_index b) {
    // "1" and "01" are different classes with the same value: the text breaks the tie.
    if (all_integers && values[a] != values[b]) return values[a] < values[b];
    return names[a] < names[b];
  });
  std::vector<class_index> new_index(names.size());
  std::vector<std::string> sorted_names(names.size());
  for (std::size_t position = 0; position < order.size(); ++position) {
    new_index[order[position]] = static_cast<class_index>(position);
    sorted_names[position] = std::move(names[order[position]]);
  }
  names = std::move(sorted_names);
  for (class_index& label : labels) label = new_index[label];
}

std::string column_label(std::size_t column) { return "column " + std::to_string(column + 1); }

}  // namespace

dataset parse_csv(std::string_view text, std::string_view source, const csv_options& options) {
  validate_options(options);
  io::diagnostics diagnostics(source);

  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    diagnostics.fail(1, 0, "UTF-16 byte-order mark: only UTF-8 or ASCII text is supported");
  }

  io::csv_reader reader(text, diagnostics);
  std::vector<raw_field> fields;
  if (!reader.next(fields)) diagnostics.fail(0, 0, "empty file: no rows");

  const std::size_t column_count = fields.size();
  const std::size_t first_line = reader.record_line();
  if (column_count < 2) {
    diagnostics.fail(first_line, 0,
                     "a single column: need at least one feature column and a target column");
  }
  const std::vector<std::size_t> target_columns =
      resolve_target_columns(options, column_count, first_line, diagnostics);
  std::vector<bool> is_target(column_count, false);
  for (const std::size_t column : target_columns) is_target[column] = true;

  bool has_header = options.header == header_row::present;
  if (options.header == header_row::detect) {
    std::size_t numeric = 0;
    for (std::size_t column = 0; column < column_count; ++column) {
      if (is_target[column]) continue;
      if (field_is_number(fields[column])) ++numeric;
    }
    // Mixed names and numbers: read it as data, so the first non-numeric field is reported
    // instead of a typo in the first data row silently turning it into a header.
    has_header = numeric == 0;
  }

  // File column names: the header's, else generated, for dataset::feature_names.
  std::vector<std::string> column_names(column_count);
  std::string scratch;
  for (std::size_t column = 0; column < column_count; ++column) {
    if (has_header) {
      io::unescape(fields[column], scratch);
      column_names[column] = scratch.empty() ? column_label(column) : scratch;
    } else {
      column_names[column] = column_label(column);
    }
  }
  if (has_header) {
    diagnostics.set_column_names(column_names);
    if (!reader.next(fields)) {
      diagnostics.fail(first_line, 0, "no data rows: the file holds only a header");
    }
  }

  const std::size_t feature_count = column_count - target_columns.size();
  const bool classify = options.kind == task::classification;
  // Regression targets in the order the options list them, whatever their file order.
  std::vector<std::size_t> target_slot(column_count, 0);
  for (std::size_t slot = 0; slot < target_columns.size(); ++slot) {
    target_slot[target_columns[slot]] = slot;
  }

  std::vector<float> features;
  std::vector<float> targets;
  std::vector<class_index> labels;
  std::vector<float> row_targets(target_columns.size());
  class_table classes(options.known_classes);
  std::size_t rows = 0;

  do {
    const std::size_t line = reader.record_line();
    if (fields.size() != column_count) {
      const std::size_t column = std::min(fields.size(), column_count) + 1;
      diagnostics.fail(line, column,
                       "ragged row: " + std::to_string(fields.size()) + " fields, expected " +
                           std::to_string(column_count) + " as on line " +
                           std::to_string(first_line));
    }
    for (std::size_t column = 0; column < column_count; ++column) {
      const raw_field& field = fields[column];
      if (classify && is_target[column]) {
        io::unescape(field, scratch);
        if (scratch.empty()) diagnostics.fail(field.line, column + 1, "empty field (no label)");
        if (classes.names().size() == std::numeric_limits<class_index>::max()) {
          diagnostics.fail(field.line, column + 1, "too many classes");
        }
        class_index index = 0;
        if (!classes.index_of(scratch, index)) {
          diagnostics.fail(field.line, column + 1,
                           "unknown label " + io::quote_for_message(scratch) + ": not one of the " +
                               std::to_string(classes.names().size()) + " known classes");
        }
        labels.push_back(index);
        continue;
      }
      float value = 0.0f;
      // A quoted field with "" in it holds a quote character: never a number.
      const number_status status = field.has_escaped_quote
                                       ? number_status::not_a_number
                                       : io::parse_float(field.text, value);
      if (status != number_status::ok) {
        io::unescape(field, scratch);
        std::string reason = io::number_error_reason(status, scratch);
        if (!has_header && line == first_line && options.header == header_row::detect) {
          reason += " (line " + std::to_string(first_line) +
                    " is read as data, not as a header, because some of its feature fields are "
                    "numbers)";
        }
        diagnostics.fail(field.line, column + 1, std::move(reason));
      }
      if (is_target[column]) {
        row_targets[target_slot[column]] = value;
      } else {
        features.push_back(value);
      }
    }
    if (!classify) targets.insert(targets.end(), row_targets.begin(), row_targets.end());
    ++rows;
  } while (reader.next(fields));

  std::vector<std::string> feature_names;
  feature_names.reserve(feature_count);
  for (std::size_t column = 0; column < column_count; ++column) {
    if (!is_target[column]) feature_names.push_back(column_names[column]);
  }
  std::vector<std::string> target_names;
  for (const std::size_t column : target_columns) target_names.push_back(column_names[column]);

  dataset data;
  if (classify) {
    std::vector<std::string>& class_names = classes.names();
    if (!classes.fixed()) {
      if (class_names.size() < 2) {
        diagnostics.fail(0, target_columns[0] + 1,
                         "a single class " + io::quote_for_message(class_names.front()) + " in " +
                             std::to_string(rows) +
                             " rows: a classification needs at least two");
      }
      if (options.order == class_order::sorted) sort_classes(class_names, labels);
    }
    data = dataset::classification(feature_count, std::move(features), std::move(labels),
                                   std::move(class_names));
  } else {
    data = dataset::regression(feature_count, std::move(features), target_columns.size(),
                               std::move(targets));
  }
  data.set_column_names(std::move(feature_names), std::move(target_names));
  return data;
}

dataset read_csv(std::istream& in, std::string_view source, const csv_options& options) {
  std::string text;
  std::vector<char> chunk(std::size_t{1} << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    throw data_error(io::escape_for_message(source), 0, 0, {}, "read error");
  }
  return parse_csv(text, source, options);
}

dataset load_csv(const std::filesystem::path& file, const csv_options& options) {
  const std::string source = file.string();
  struct file_closer {
    void operator()(std::FILE* stream) const noexcept { std::fclose(stream); }
  };
  // C stdio rather than ifstream: fopen and fread report the reason in errno.
  const std::unique_ptr<std::FILE, file_closer> stream(std::fopen(source.c_str(), "rb"));
  if (!stream) {
    throw data_error(io::escape_for_message(source), 0, 0, {},
                     std::string("cannot open: ") + std::strerror(errno));
  }
  std::string text;
  std::vector<char> chunk(std::size_t{1} << 16);
  for (;;) {
    const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), stream.get());
    text.append(chunk.data(), got);
    if (got < chunk.size()) break;
  }
  if (std::ferror(stream.get())) {
    // e.g. EISDIR: fopen succeeds on a directory, reading it fails.
    throw data_error(io::escape_for_message(source), 0, 0, {},
                     std::string("cannot read: ") + std::strerror(errno));
  }
  return parse_csv(text, source, options);
}

// ------------------------------------------------------------------------------------------------
// Preparation helpers
// ------------------------------------------------------------------------------------------------

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
    x[i] = static_cast<float>((static_cast<double>(x[i]) - statistics.mean[f]) /
                              statistics.stddev[f]);
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
