// lib/io/model_format.cpp — what the model file format defines beyond its layout: CRC-32C, the
// error type every model file failure is reported with, and the class-name rules.
//
// These are shared by the reader, the writer and model's constructor, so none of those files owns
// them. The layout constants are in model_format.hpp; byte order is explicit everywhere (shifts,
// never memcpy of integers), so the code would read and write the same files on a big-endian
// machine.
#include "io/model_format.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace simdnn {

// ------------------------------------------------------------------------------------------------
// CRC-32C
// ------------------------------------------------------------------------------------------------
namespace {

// Reflected Castagnoli polynomial 0x1EDC6F41. Table computed at compile time: no static
// initialization order to worry about, nothing to compute at run time.
constexpr std::array<std::uint32_t, 256> make_crc32c_table() noexcept {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) != 0 ? 0x82F63B78u : 0u);
    table[byte] = crc;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> crc32c_table = make_crc32c_table();

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> bytes, std::uint32_t crc) noexcept {
  crc = ~crc;
  for (const std::byte b : bytes) {
    crc = (crc >> 8) ^ crc32c_table[(crc ^ std::to_integer<std::uint32_t>(b)) & 0xFFu];
  }
  return ~crc;
}

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------
namespace {

std::string compose_message(const std::string& file, std::optional<std::uint64_t> offset,
                            const std::string& reason) {
  std::string message = file + ": ";
  if (offset) message += "byte " + std::to_string(*offset) + ": ";
  return message + reason;
}

}  // namespace

model_error::model_error(model_error_code code, std::string file,
                         std::optional<std::uint64_t> offset, std::string reason)
    : std::runtime_error(compose_message(file, offset, reason)),
      code_(code),
      file_(std::move(file)),
      offset_(offset),
      reason_(std::move(reason)) {}

const char* model_error_name(model_error_code code) noexcept {
  switch (code) {
    case model_error_code::io_error:
      return "io_error";
    case model_error_code::file_too_large:
      return "file_too_large";
    case model_error_code::truncated:
      return "truncated";
    case model_error_code::bad_magic:
      return "bad_magic";
    case model_error_code::unsupported_version:
      return "unsupported_version";
    case model_error_code::bad_byte_order:
      return "bad_byte_order";
    case model_error_code::trailing_bytes:
      return "trailing_bytes";
    case model_error_code::checksum_mismatch:
      return "checksum_mismatch";
    case model_error_code::unknown_flags:
      return "unknown_flags";
    case model_error_code::no_layers:
      return "no_layers";
    case model_error_code::too_many_layers:
      return "too_many_layers";
    case model_error_code::zero_width:
      return "zero_width";
    case model_error_code::width_too_large:
      return "width_too_large";
    case model_error_code::layers_do_not_chain:
      return "layers_do_not_chain";
    case model_error_code::bad_activation:
      return "bad_activation";
    case model_error_code::too_many_parameters:
      return "too_many_parameters";
    case model_error_code::payload_size_mismatch:
      return "payload_size_mismatch";
    case model_error_code::bad_class_names:
      return "bad_class_names";
    case model_error_code::bad_standardization:
      return "bad_standardization";
    case model_error_code::non_finite_value:
      return "non_finite_value";
    case model_error_code::bad_padding:
      return "bad_padding";
  }
  return "unknown";
}

// ------------------------------------------------------------------------------------------------
// Class names (checked by model's constructor and by the parser, each with its own exception)
// ------------------------------------------------------------------------------------------------
namespace io {

std::string class_name_problem(std::span<const std::string> names, std::size_t outputs) {
  if (names.empty()) return {};
  if (names.size() != outputs) {
    return std::to_string(names.size()) + " class names for " + std::to_string(outputs) +
           " outputs (one name per output)";
  }
  for (std::size_t c = 0; c < names.size(); ++c) {
    const std::string& name = names[c];
    if (name.empty()) return "class name " + std::to_string(c) + " is empty";
    if (name.size() > max_class_name_bytes) {
      return "class name " + std::to_string(c) + " is longer than " +
             std::to_string(max_class_name_bytes) + " bytes";
    }
    if (name.find('\0') != std::string::npos) {
      return "class name " + std::to_string(c) + " holds a NUL byte";
    }
  }
  std::vector<std::string_view> sorted(names.begin(), names.end());
  std::sort(sorted.begin(), sorted.end());
  const auto duplicate = std::adjacent_find(sorted.begin(), sorted.end());
  if (duplicate != sorted.end()) return "class name \"" + std::string(*duplicate) + "\" repeats";
  return {};
}

}  // namespace io

}  // namespace simdnn
