// lib/io/csv.cpp — the CSV loader: parse_csv, read_csv and load_csv of simdnn/dataset.hpp.
//
// It gives meaning to the records the tokenizer (csv_reader.cpp) returns: the header row,
// detected or given, the target columns, feature values and class labels, and then builds the
// dataset through its checked factories (dataset.cpp). Errors name the line, the column and,
// once a header is known, the column's name.
#include <algorithm>
#include <cerrno>
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

using io::require;

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
  std::vector<std::string_view> names(options.known_classes.begin(), options.known_classes.end());
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

std::string column_label(std::size_t column) {
  return "column " + std::to_string(column + 1);
}

// What the first record says about the file: its columns, which are targets, whether it is a
// header and the column names (the header's, else generated, for dataset::feature_names).
struct csv_layout {
  std::size_t column_count = 0;
  std::size_t first_line = 0;
  std::vector<std::size_t> target_columns;
  std::vector<bool> is_target;
  std::vector<std::size_t> target_slot;  // regression targets in the options' order
  bool has_header = false;
  std::vector<std::string> column_names;
};

csv_layout read_layout(const std::vector<raw_field>& fields, std::size_t first_line,
                       const csv_options& options, io::diagnostics& diagnostics) {
  csv_layout layout;
  layout.column_count = fields.size();
  layout.first_line = first_line;
  if (layout.column_count < 2) {
    diagnostics.fail(first_line, 0,
                     "a single column: need at least one feature column and a target column");
  }
  layout.target_columns =
      resolve_target_columns(options, layout.column_count, first_line, diagnostics);
  layout.is_target.assign(layout.column_count, false);
  layout.target_slot.assign(layout.column_count, 0);
  for (std::size_t slot = 0; slot < layout.target_columns.size(); ++slot) {
    layout.is_target[layout.target_columns[slot]] = true;
    layout.target_slot[layout.target_columns[slot]] = slot;
  }
  layout.has_header = options.header == header_row::present;
  if (options.header == header_row::detect) {
    std::size_t numeric = 0;
    for (std::size_t column = 0; column < layout.column_count; ++column) {
      if (!layout.is_target[column] && field_is_number(fields[column])) ++numeric;
    }
    // Mixed names and numbers: read it as data, so the first non-numeric field is reported
    // instead of a typo in the first data row silently turning it into a header.
    layout.has_header = numeric == 0;
  }
  layout.column_names.resize(layout.column_count);
  std::string scratch;
  for (std::size_t column = 0; column < layout.column_count; ++column) {
    if (layout.has_header) {
      io::unescape(fields[column], scratch);
      layout.column_names[column] = scratch.empty() ? column_label(column) : scratch;
    } else {
      layout.column_names[column] = column_label(column);
    }
  }
  return layout;
}

// The values of every data record, checked field by field.
struct csv_rows {
  std::vector<float> features;
  std::vector<float> targets;
  std::vector<class_index> labels;
  std::size_t count = 0;
};

// A numeric field of a data record (a feature or a regression target), or a failure naming it.
float parse_number_field(const raw_field& field, std::size_t line, std::size_t column,
                         const csv_layout& layout, const csv_options& options,
                         io::diagnostics& diagnostics, std::string& scratch) {
  float value = 0.0f;
  // A quoted field with "" in it holds a quote character: never a number.
  const number_status status =
      field.has_escaped_quote ? number_status::not_a_number : io::parse_float(field.text, value);
  if (status != number_status::ok) {
    io::unescape(field, scratch);
    std::string reason = io::number_error_reason(status, scratch);
    if (!layout.has_header && line == layout.first_line && options.header == header_row::detect) {
      reason += " (line " + std::to_string(layout.first_line) +
                " is read as data, not as a header, because some of its feature fields are "
                "numbers)";
    }
    diagnostics.fail(field.line, column + 1, std::move(reason));
  }
  return value;
}

class_index parse_label_field(const raw_field& field, std::size_t column, class_table& classes,
                              io::diagnostics& diagnostics, std::string& scratch) {
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
  return index;
}

// Every data record from the reader's current one on (`fields` holds it).
csv_rows read_rows(io::csv_reader& reader, std::vector<raw_field>& fields, const csv_layout& layout,
                   const csv_options& options, class_table& classes, io::diagnostics& diagnostics) {
  const bool classify = options.kind == task::classification;
  csv_rows rows;
  std::vector<float> row_targets(layout.target_columns.size());
  std::string scratch;
  do {
    const std::size_t line = reader.record_line();
    if (fields.size() != layout.column_count) {
      const std::size_t column = std::min(fields.size(), layout.column_count) + 1;
      diagnostics.fail(line, column,
                       "ragged row: " + std::to_string(fields.size()) + " fields, expected " +
                           std::to_string(layout.column_count) + " as on line " +
                           std::to_string(layout.first_line));
    }
    for (std::size_t column = 0; column < layout.column_count; ++column) {
      const raw_field& field = fields[column];
      if (classify && layout.is_target[column]) {
        rows.labels.push_back(parse_label_field(field, column, classes, diagnostics, scratch));
        continue;
      }
      const float value =
          parse_number_field(field, line, column, layout, options, diagnostics, scratch);
      if (layout.is_target[column]) {
        row_targets[layout.target_slot[column]] = value;
      } else {
        rows.features.push_back(value);
      }
    }
    if (!classify) rows.targets.insert(rows.targets.end(), row_targets.begin(), row_targets.end());
    ++rows.count;
  } while (reader.next(fields));
  return rows;
}

// The dataset from the rows, with the classes finished (at least two, sorted if asked).
dataset make_dataset(const csv_layout& layout, csv_rows rows, class_table& classes,
                     const csv_options& options, io::diagnostics& diagnostics) {
  const std::size_t feature_count = layout.column_count - layout.target_columns.size();
  std::vector<std::string> feature_names;
  feature_names.reserve(feature_count);
  for (std::size_t column = 0; column < layout.column_count; ++column) {
    if (!layout.is_target[column]) feature_names.push_back(layout.column_names[column]);
  }
  std::vector<std::string> target_names;
  target_names.reserve(layout.target_columns.size());
  for (const std::size_t column : layout.target_columns) {
    target_names.push_back(layout.column_names[column]);
  }
  dataset data;
  if (options.kind == task::classification) {
    std::vector<std::string>& class_names = classes.names();
    if (!classes.fixed()) {
      if (class_names.size() < 2) {
        diagnostics.fail(0, layout.target_columns[0] + 1,
                         "a single class " + io::quote_for_message(class_names.front()) + " in " +
                             std::to_string(rows.count) +
                             " rows: a classification needs at least two");
      }
      if (options.order == class_order::sorted) sort_classes(class_names, rows.labels);
    }
    data = dataset::classification(feature_count, std::move(rows.features), std::move(rows.labels),
                                   std::move(class_names));
  } else {
    data = dataset::regression(feature_count, std::move(rows.features),
                               layout.target_columns.size(), std::move(rows.targets));
  }
  data.set_column_names(std::move(feature_names), std::move(target_names));
  return data;
}

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
  const csv_layout layout = read_layout(fields, reader.record_line(), options, diagnostics);
  if (layout.has_header) {
    diagnostics.set_column_names(layout.column_names);
    if (!reader.next(fields)) {
      diagnostics.fail(layout.first_line, 0, "no data rows: the file holds only a header");
    }
  }
  class_table classes(options.known_classes);
  csv_rows rows = read_rows(reader, fields, layout, options, classes, diagnostics);
  return make_dataset(layout, std::move(rows), classes, options, diagnostics);
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

}  // namespace simdnn
