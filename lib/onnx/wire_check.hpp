// lib/onnx/wire_check.hpp — a walk over the protobuf framing of a file's top-level fields, so a
// truncated or damaged ONNX file is reported with the byte where it goes wrong (protobuf's own
// parser only says that it failed). Damage inside a nested message is left to the parser.
//
// Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace simdnn::onnx_io {

struct wire_damage {
  std::size_t offset = 0;
  std::string reason;
};

// The first framing error among the top-level fields of `bytes`, or nullopt.
inline std::optional<wire_damage> find_wire_damage(std::span<const std::byte> bytes) {
  std::size_t at = 0;
  // A varint at `at` (advanced past it), or nullopt when it runs off the end or past 10 bytes.
  const auto varint = [&bytes](std::size_t& pos) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
      const auto byte = std::to_integer<std::uint64_t>(bytes[pos++]);
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
  };
  if (bytes.empty()) return wire_damage{0, "the file is empty"};
  while (at < bytes.size()) {
    const std::size_t field_at = at;
    const auto key = varint(at);
    if (!key) return wire_damage{field_at, "a field key runs past the end"};
    const auto field = *key >> 3;
    const auto type = *key & 7;
    const std::string name = "field " + std::to_string(field);
    if (field == 0) return wire_damage{field_at, "field number 0"};
    std::size_t size = 0;
    switch (type) {
      case 0:
        if (!varint(at)) return wire_damage{field_at, name + ": its value runs past the end"};
        continue;
      case 1:
        size = 8;
        break;
      case 5:
        size = 4;
        break;
      case 2: {
        const auto length = varint(at);
        if (!length) return wire_damage{field_at, name + ": its length runs past the end"};
        if (*length > bytes.size() - at) {
          return wire_damage{field_at, name + " declares " + std::to_string(*length) + " bytes, " +
                                           std::to_string(bytes.size() - at) + " remain"};
        }
        size = static_cast<std::size_t>(*length);
        break;
      }
      default:
        return wire_damage{field_at, name + ": wire type " + std::to_string(type) +
                                         " is not one a ModelProto uses"};
    }
    if (size > bytes.size() - at) return wire_damage{field_at, name + " runs past the end"};
    at += size;
  }
  return std::nullopt;
}

}  // namespace simdnn::onnx_io
