// lib/io/csv_reader.cpp — the CSV dialect: the tokenizer, the number parser and data_error.
//
// The low level of parse_csv (declared in csv_reader.hpp): it splits text into records of raw
// fields, enforcing the quoting, line-end and NUL rules of simdnn/dataset.hpp, and reads numbers
// locale-independently. It knows nothing about features, targets or labels (that is csv.cpp), so
// the dialect can be tested and fuzzed on its own terms. data_error is defined here because
// `diagnostics`, which composes every CSV error message, is its main user.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

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

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
bool is_line_end(char c) noexcept {
  return c == '\n' || c == '\r';
}

}  // namespace

std::string escape_for_message(std::string_view text, std::size_t max_bytes) {
  std::string out;
  const std::size_t shown = std::min(text.size(), max_bytes);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
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
                      describe_byte(text_[pos_]) +
                          " after a closing quote (expected ',' or a "
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
    const bool negative_exponent =
        token.find("e-") != std::string_view::npos || token.find("E-") != std::string_view::npos;
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
    case number_status::ok:
      return "no error";
    case number_status::empty:
      return "empty field";
    case number_status::not_a_number:
      return "non-numeric field " + quoted;
    case number_status::nan:
      return "NaN is not allowed: " + quoted;
    case number_status::infinite:
      return "infinity is not allowed: " + quoted;
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

}  // namespace simdnn
