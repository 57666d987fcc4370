// lib/onnx/onnx_proto.hpp — the one place simdnn_onnx includes ONNX's generated protobuf classes
// (libonnx-dev's onnx/onnx_pb.h, compiled with ONNX_ML=1 and ONNX_NAMESPACE=onnx, the
// definitions its CMake package exports), and the helpers the reader and the writer share.
//
// Internal header.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "simdnn/onnx.hpp"

namespace simdnn::onnx_io {

namespace proto = ::ONNX_NAMESPACE;

// Metadata property keys the writer sets and the reader honours.
inline std::string layer_activation_key(std::size_t layer) {
  return "simdnn.layer." + std::to_string(layer) + ".activation";
}
inline std::string class_name_key(std::size_t index) {
  return "simdnn.class_name." + std::to_string(index);
}

}  // namespace simdnn::onnx_io
