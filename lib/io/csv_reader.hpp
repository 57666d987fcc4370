// lib/io/csv_reader.hpp — the CSV tokenizer and number parser behind simdnn::parse_csv.
//
// Internal header. The reader splits a document into records of raw fields and enforces the
// dialect described in simdnn/dataset.hpp (quotes, line ends, empty lines, NUL bytes); it knows
// nothing about features or labels. Every problem is raised through `diagnostics`, which turns a
// line, a column and a reason into a simdnn::data_error.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace simdnn::io {

// Builds data_error messages for one source. Column names are added to messages once known (after
// a header row); before that, and without a header, columns are numbers only.
class diagnostics {
 public:
  explicit diagnostics(std::string_view source) : source_(source) {}

  void set_column_names(std::span<const std::string> names) noexcept { column_names_ = names; }

  // line/column 0: not applicable. column counts fields from 1.
  [[noreturn]] void fail(std::size_t line, std::size_t column, std::string reason) const;

 private:
  std::string_view source_;
  std::span<const std::string> column_names_;
};

// `text` with control bytes escaped (\n, \r, \t, \0, \xNN; also \" and \\) so a message stays
// on one line, cut to max_bytes with "..." appended. UTF-8 passes through.
[[nodiscard]] std::string escape_for_message(std::string_view text,
                                             std::size_t max_bytes = std::string_view::npos);

// `text` for an error message: in double quotes, control bytes escaped (\n, \r, \t, \0, \xNN) so
// the message stays on one line, and cut to a few dozen bytes (a field may be a megabyte long).
[[nodiscard]] std::string quote_for_message(std::string_view text);

// One field as it appears in the input. `text` excludes surrounding quotes and the spaces and
// tabs around the field; inside a quoted field, "" still stands for one quote (see unescape).
struct raw_field {
  std::string_view text;
  std::size_t line = 0;  // where the field starts (a quoted field may span lines)
  bool quoted = false;
  bool has_escaped_quote = false;
};

// The field's value: `text` with "" turned into " for quoted fields.
void unescape(const raw_field& field, std::string& out);

class csv_reader {
 public:
  // `text` must outlive the reader and the fields it returns.
  csv_reader(std::string_view text, const diagnostics& diagnostics) noexcept
      : text_(text), diagnostics_(diagnostics) {}

  // Reads the next record, skipping empty lines, into `fields` (cleared first; its capacity is
  // reused). False at the end of the input. Throws data_error on malformed input.
  bool next(std::vector<raw_field>& fields);

  // The line the record last returned by next() starts on.
  [[nodiscard]] std::size_t record_line() const noexcept { return record_line_; }

 private:
  // Skips lines holding nothing but spaces and tabs. False when only such lines remain.
  bool skip_empty_lines() noexcept;
  // Consumes "\n", "\r\n" or "\r" at pos_ if there is one. True if it did.
  bool consume_line_end() noexcept;
  void skip_blanks() noexcept;
  raw_field read_quoted_field(std::size_t column);
  raw_field read_plain_field(std::size_t column);

  std::string_view text_;
  const diagnostics& diagnostics_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
};

enum class number_status : unsigned char {
  ok,
  empty,
  not_a_number,
  nan,
  infinite,
  overflow,   // finite in the text but beyond float's largest value
  underflow,  // nonzero in the text but below float's smallest subnormal: would read as 0
};

// Parses the whole of `token` as a float with std::from_chars (locale independent). A leading
// '+' is accepted before a digit or '.'. `out` is written only on ok.
[[nodiscard]] number_status parse_float(std::string_view token, float& out) noexcept;

// A data_error reason for a failed parse_float of `token`.
[[nodiscard]] std::string number_error_reason(number_status status, std::string_view token);

// True when the whole of `token` is an integer in int64's range (an optional '-', then digits).
[[nodiscard]] bool parse_integer(std::string_view token, long long& out) noexcept;

}  // namespace simdnn::io
