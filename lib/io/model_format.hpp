// lib/io/model_format.hpp — the layout of a simdnn model file, shared by its reader and writer.
//
// Internal header. The byte layout specified in docs/model-format.md is spelled out once, here, so
// the writer (model_writer.cpp) and the parser (model_reader.cpp) cannot disagree on an offset, a
// flag bit or an activation code; so are the class-name rules, which model's constructor reports as
// std::invalid_argument and the parser as model_error. CRC-32C and model_error are public
// (simdnn/model.hpp) and defined in model_format.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "nn/activations.hpp"
#include "simdnn/model.hpp"

namespace simdnn::io {

inline constexpr std::array<std::uint8_t, 8> file_magic = {0x89, 's', 'i', 'm',
                                                           'd',  'n', 'n', '\n'};
inline constexpr std::uint32_t byte_order_mark = 0x01020304u;
inline constexpr std::size_t header_bytes = 40;
inline constexpr std::size_t checksum_bytes = 4;

inline constexpr std::size_t offset_version = 8;
inline constexpr std::size_t offset_byte_order = 12;
inline constexpr std::size_t offset_file_size = 16;
inline constexpr std::size_t offset_layer_count = 24;
inline constexpr std::size_t offset_flags = 28;
inline constexpr std::size_t offset_class_count = 32;
inline constexpr std::size_t offset_name_bytes = 36;

// Layer records follow the header, one per layer. Version 2: inputs, outputs, activation code,
// activation parameter (binary32); version 1 had no parameter field.
inline constexpr std::size_t layer_record_bytes_v1 = 12;
inline constexpr std::size_t layer_record_bytes = 16;
inline constexpr std::size_t record_inputs = 0;
inline constexpr std::size_t record_outputs = 4;
inline constexpr std::size_t record_activation = 8;
inline constexpr std::size_t record_parameter = 12;  // version 2 and later

// The size of one layer record in a file of format `version` (1 or 2).
[[nodiscard]] constexpr std::size_t layer_record_size(std::uint32_t version) noexcept {
  return version == 1 ? layer_record_bytes_v1 : layer_record_bytes;
}

inline constexpr std::uint32_t flag_bias = 1u << 0;
inline constexpr std::uint32_t flag_standardization = 1u << 1;
inline constexpr std::uint32_t flag_class_names = 1u << 2;
inline constexpr std::uint32_t known_flags = flag_bias | flag_standardization | flag_class_names;

// Activation codes in the file are each descriptor's file_code (lib/nn/activations.hpp), fixed
// there independently of the C++ enumerators' values: 1 sigmoid, 2 identity, 3 sigmoid_fast,
// 4 tanh, 5 relu, 6 leaky_relu, 7 softmax. Version 1 defined only the first two.
inline constexpr std::uint32_t file_sigmoid = 1;
inline constexpr std::uint32_t file_identity = 2;

[[nodiscard]] inline std::uint32_t activation_code(activation a) noexcept {
  return nn::describe(a).file_code;
}

// Zero bytes that bring `bytes` up to a multiple of 4: a file's size always is one.
[[nodiscard]] inline std::size_t padding_after(std::size_t bytes) noexcept {
  return (4 - bytes % 4) % 4;
}

// The first problem with a set of class names for `outputs` outputs, or empty.
[[nodiscard]] std::string class_name_problem(std::span<const std::string> names,
                                             std::size_t outputs);

}  // namespace simdnn::io
