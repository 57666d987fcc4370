// lib/onnx/onnx_writer.cpp — simdnn::model -> ONNX (contract in simdnn/onnx.hpp): Sub/Div for the
// standardization, then one Gemm per layer holding the weights exactly as the model does (inputs
// x outputs, so no transposition and no rounding), then its activation node.
#include <bit>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "onnx/onnx_proto.hpp"
#include "simdnn/version.hpp"

namespace simdnn {

namespace {

using onnx_io::proto::GraphProto;
using onnx_io::proto::NodeProto;
using onnx_io::proto::TensorProto;

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; this writer copies floats as they are");

void add_tensor(GraphProto& g, const std::string& name, const std::vector<std::int64_t>& dims,
                std::span<const float> values) {
  TensorProto& t = *g.add_initializer();
  t.set_name(name);
  t.set_data_type(TensorProto::FLOAT);
  for (const std::int64_t d : dims) t.add_dims(d);
  t.set_raw_data(values.data(), values.size_bytes());
}

NodeProto& add_node(GraphProto& g, const std::string& op, const std::string& name,
                    std::initializer_list<std::string> inputs, const std::string& output) {
  NodeProto& node = *g.add_node();
  node.set_op_type(op);
  node.set_name(name);
  for (const std::string& input : inputs) node.add_input(input);
  node.add_output(output);
  return node;
}

void set_io(onnx_io::proto::ValueInfoProto& v, const std::string& name, std::size_t width) {
  v.set_name(name);
  auto& type = *v.mutable_type()->mutable_tensor_type();
  type.set_elem_type(TensorProto::FLOAT);
  type.mutable_shape()->add_dim()->set_dim_param("batch");
  type.mutable_shape()->add_dim()->set_dim_value(static_cast<std::int64_t>(width));
}

// The activation node after a layer's Gemm (none for identity); returns the tensor it produces.
std::string add_activation(GraphProto& g, const model& m, std::size_t l, const std::string& in,
                           const std::string& out) {
  const std::string prefix = "layer" + std::to_string(l) + ".";
  switch (m.layer_activation(l)) {
    case activation::identity:
      return in;
    case activation::sigmoid:
    case activation::sigmoid_fast:
      add_node(g, "Sigmoid", prefix + "sigmoid", {in}, out);
      break;
    case activation::tanh:
      add_node(g, "Tanh", prefix + "tanh", {in}, out);
      break;
    case activation::relu:
      add_node(g, "Relu", prefix + "relu", {in}, out);
      break;
    case activation::leaky_relu: {
      NodeProto& node = add_node(g, "LeakyRelu", prefix + "leaky_relu", {in}, out);
      auto& alpha = *node.add_attribute();
      alpha.set_name("alpha");
      alpha.set_type(onnx_io::proto::AttributeProto::FLOAT);
      alpha.set_f(m.layer_activation_parameter(l));
      break;
    }
    case activation::softmax: {
      NodeProto& node = add_node(g, "Softmax", prefix + "softmax", {in}, out);
      auto& axis = *node.add_attribute();
      axis.set_name("axis");
      axis.set_type(onnx_io::proto::AttributeProto::INT);
      axis.set_i(-1);
      break;
    }
  }
  return out;
}

void add_metadata(onnx_io::proto::ModelProto& proto, const std::string& key,
                  const std::string& value) {
  auto& entry = *proto.add_metadata_props();
  entry.set_key(key);
  entry.set_value(value);
}

}  // namespace

std::vector<std::byte> serialize_onnx(const model& m) {
  onnx_io::proto::ModelProto proto;
  proto.set_ir_version(7);  // the IR of opset 14
  proto.set_producer_name("simdnn");
  proto.set_producer_version(version_string);
  auto& opset = *proto.add_opset_import();
  opset.set_domain("");
  opset.set_version(onnx_export_opset);
  GraphProto& g = *proto.mutable_graph();
  g.set_name("simdnn");
  set_io(*g.add_input(), "input", m.input_width());
  const auto width = static_cast<std::int64_t>(m.input_width());
  std::string current = "input";
  if (m.has_input_standardization()) {
    add_tensor(g, "input_mean", {width}, m.input_mean());
    add_tensor(g, "input_stddev", {width}, m.input_stddev());
    add_node(g, "Sub", "standardize.sub", {current, "input_mean"}, "centered");
    add_node(g, "Div", "standardize.div", {"centered", "input_stddev"}, "standardized");
    current = "standardized";
  }
  for (std::size_t l = 0; l < m.layer_count(); ++l) {
    const std::string prefix = "layer" + std::to_string(l) + ".";
    const auto in = static_cast<std::int64_t>(m.widths()[l]);
    const auto out = static_cast<std::int64_t>(m.widths()[l + 1]);
    add_tensor(g, prefix + "weight", {in, out}, m.weights(l));
    const bool last = l + 1 == m.layer_count();
    const bool identity = m.layer_activation(l) == activation::identity;
    const std::string gemm_out = last && identity ? "output" : prefix + "linear";
    if (m.has_bias()) {
      add_tensor(g, prefix + "bias", {out}, m.biases(l));
      add_node(g, "Gemm", prefix + "gemm", {current, prefix + "weight", prefix + "bias"}, gemm_out);
    } else {
      add_node(g, "Gemm", prefix + "gemm", {current, prefix + "weight"}, gemm_out);
    }
    current = add_activation(g, m, l, gemm_out,
                             last ? "output" : prefix + activation_name(m.layer_activation(l)));
    if (m.layer_activation(l) == activation::sigmoid_fast) {
      add_metadata(proto, onnx_io::layer_activation_key(l), "sigmoid_fast");
    }
  }
  set_io(*g.add_output(), "output", m.output_width());
  for (std::size_t c = 0; c < m.class_names().size(); ++c) {
    add_metadata(proto, onnx_io::class_name_key(c), m.class_names()[c]);
  }
  const std::size_t size = proto.ByteSizeLong();
  if (size > max_onnx_file_bytes) {
    throw onnx_error(onnx_error_code::file_too_large, "<memory>", "",
                     "the model's ONNX form would take " + std::to_string(size) + " bytes");
  }
  std::vector<std::byte> bytes(size);
  if (!proto.SerializeToArray(bytes.data(), static_cast<int>(size))) {
    throw onnx_error(onnx_error_code::io_error, "<memory>", "", "protobuf serialization failed");
  }
  return bytes;
}

}  // namespace simdnn
