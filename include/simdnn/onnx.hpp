// simdnn/onnx.hpp — models trained elsewhere: ONNX files to simdnn::model and back.
//
// Part of the optional library simdnn::onnx (target simdnn_onnx), built only where protobuf and
// the ONNX headers are found (Debian: libonnx-dev, libprotobuf-dev). The core library
// simdnn::simdnn never needs them; this header names no protobuf or ONNX type.
//
// ---- What is read ------------------------------------------------------------------------
// One graph input (float32, shape [batch, d] or [batch, d1, d2, ...] flattened first), one
// output, and a chain of nodes each consuming the previous node's output, from the ai.onnx
// domain (opset 7 to 21):
//   Sub, Div (constant)     before the first layer: (x - mean) / stddev, folded into the model's
//                           input standardization (Sub then Div, either alone; stddev > 0)
//   Gemm                    a layer: Y = alpha * X * op(B) + beta * C, transA = 0, transB 0 or 1,
//                           C absent or broadcast over the batch ([n], [1, n], [1] or a scalar);
//                           alpha and beta other than 1 are multiplied into B and C (one rounding)
//   MatMul [+ Add]          a layer: X * B (B of rank 2), then Add of a constant [n] or [1, n]
//   Relu, LeakyRelu (alpha >= 0 -> leaky_relu's slope), Sigmoid, Tanh, Softmax (last axis, the
//                           last layer only): the layer's activation; none -> identity
//   Identity, Flatten (axis 1), Reshape to [-1 or 0, d]: no effect on the rows
//   Constant                constants the other nodes use
// Every constant is a float32 tensor (raw_data or float_data; int64 for Reshape's shape) stored
// in the file. Anything else — another op or domain, a branch, a second input, external data,
// float64, a width that does not chain, a dynamic dimension other than the batch, a NaN or
// infinite weight — is an onnx_error naming the node (its index, name and op) and why, never a
// silently different network.
// Bounds: the file is at most max_onnx_file_bytes, the graph at most max_onnx_nodes nodes, every
// tensor and the model within the limits of simdnn/model.hpp; nothing is allocated from a
// declared size before it is checked.
//
// ---- What is written ---------------------------------------------------------------------
// IR version 7, opset 14 (what torch 1.13's exporter writes): input "input" [batch, d]; the
// standardization as Sub and Div; each layer a Gemm (B = the weights as simdnn holds them,
// inputs x outputs, transB 0; C = the biases when the model has them) and its activation node;
// output "output". sigmoid_fast layers are written as Sigmoid with the metadata property
// "simdnn.layer.<l>.activation" = "sigmoid_fast"; class names as "simdnn.class_name.<i>". The
// file passes onnx.checker.check_model; reading it back gives the same model, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "simdnn/model.hpp"

namespace simdnn {

// protobuf cannot parse a message of 2 GiB or more.
inline constexpr std::size_t max_onnx_file_bytes = (std::size_t{1} << 31) - 1;
inline constexpr std::size_t max_onnx_nodes = 16384;
// The opset the exporter writes.
inline constexpr std::int64_t onnx_export_opset = 14;

enum class onnx_error_code : unsigned char {
  io_error,        // cannot open, read, write or rename (the system's reason)
  file_too_large,  // above max_onnx_file_bytes
  malformed,       // not a protobuf ModelProto (truncated or damaged): the byte at fault if known
  unsupported,     // a valid ONNX file simdnn cannot represent: the node, its op and why
  bad_value,       // a NaN or infinite weight, a stddev <= 0, a tensor whose data does not
                   // match its shape
};

// A short name for `code`, e.g. "unsupported". Never null.
[[nodiscard]] const char* onnx_error_name(onnx_error_code code) noexcept;

// what() reads "<file>: <where>: <reason>" ("model.onnx: node 2 \"/1/Gemm\" (Gemm): ..."), or
// "<file>: <reason>" when no place applies.
class onnx_error : public std::runtime_error {
 public:
  onnx_error(onnx_error_code code, std::string file, std::string where, std::string reason);

  [[nodiscard]] onnx_error_code code() const noexcept { return code_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] const std::string& where() const noexcept { return where_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  onnx_error_code code_;
  std::string file_;
  std::string where_;
  std::string reason_;
};

// Parses and converts a whole ONNX file held in memory; `source` names it in errors. Throws
// onnx_error.
[[nodiscard]] model parse_onnx(std::span<const std::byte> bytes,
                               std::string_view source = "<memory>");
// Reads `file` (at most max_onnx_file_bytes; pipes too) and parses it. Throws onnx_error.
[[nodiscard]] model load_onnx(const std::filesystem::path& file);

// The ONNX file of `m` (see above).
[[nodiscard]] std::vector<std::byte> serialize_onnx(const model& m);
// Writes serialize_onnx(m) to a temporary file in the target's directory, then renames it over
// the target: a failure leaves the old file. Throws onnx_error (io_error).
void save_onnx(const std::filesystem::path& file, const model& m);

}  // namespace simdnn
