// lib/onnx/onnx_reader.cpp — ONNX file -> simdnn::model (contract in simdnn/onnx.hpp).
//
// The graph is walked once, in node order, following the one tensor that flows from the graph's
// input: every node must consume it (its other inputs being constants) and produces the next.
// Layers are assembled from a linear node (Gemm, or MatMul with an optional Add) and at most one
// activation; standardization is only accepted before the first layer. Anything the walk does not
// recognize stops it with an onnx_error naming the node.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "onnx/onnx_proto.hpp"
#include "onnx/wire_check.hpp"

namespace simdnn {

namespace {

using onnx_io::proto::GraphProto;
using onnx_io::proto::ModelProto;
using onnx_io::proto::NodeProto;
using onnx_io::proto::TensorProto;

constexpr std::int64_t min_opset = 7;
constexpr std::int64_t max_opset = 21;

const char* tensor_type_name(int type) {
  switch (type) {
    case TensorProto::FLOAT:
      return "float32";
    case TensorProto::DOUBLE:
      return "float64";
    case TensorProto::FLOAT16:
      return "float16";
    case TensorProto::BFLOAT16:
      return "bfloat16";
    case TensorProto::INT64:
      return "int64";
    case TensorProto::INT32:
      return "int32";
    case TensorProto::INT8:
      return "int8";
    case TensorProto::UINT8:
      return "uint8";
    default:
      return "a non-float type";
  }
}

std::string in_quotes(const std::string& text) {
  return '"' + text + '"';
}

// A constant as the walk uses it: shape and values (floats, or the int64 of a shape).
struct constant {
  std::vector<std::int64_t> dims;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  bool is_int = false;
};

// A layer being assembled: weights inputs x outputs row-major, biases (empty if none yet).
struct layer_draft {
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  std::vector<float> weights;
  std::vector<float> biases;
  bool from_matmul = false;
  bool has_activation = false;
  activation act = activation::identity;
  float parameter = 0.0f;
  std::string node;  // where the layer's linear node is, for later errors
};

class onnx_reader {
 public:
  explicit onnx_reader(std::string source) : source_(std::move(source)) {}

  model read(const ModelProto& m);

 private:
  [[noreturn]] void fail(onnx_error_code code, const std::string& where,
                         const std::string& reason) const {
    throw onnx_error(code, source_, where, reason);
  }

  void check_opset(const ModelProto& m);
  void read_initializers(const GraphProto& g);
  void read_input(const GraphProto& g);
  constant read_tensor(const TensorProto& t, const std::string& where) const;
  std::size_t element_count(const TensorProto& t, const std::string& where) const;
  const constant& operand(const NodeProto& node, int index, const std::string& where) const;
  std::int64_t int_attribute(const NodeProto& node, const std::string& name,
                             std::int64_t fallback) const;
  float float_attribute(const NodeProto& node, const std::string& name, float fallback) const;
  std::vector<float> broadcast_row(const constant& c, std::size_t width, const std::string& what,
                                   const std::string& where) const;

  void walk_node(const NodeProto& node, const std::string& where);
  void on_standardize(const NodeProto& node, const std::string& where, bool divide);
  void on_gemm(const NodeProto& node, const std::string& where);
  void on_matmul(const NodeProto& node, const std::string& where);
  void on_add(const NodeProto& node, const std::string& where);
  void on_activation(const NodeProto& node, const std::string& where, activation a);
  void on_flatten(const NodeProto& node, const std::string& where);
  void on_reshape(const NodeProto& node, const std::string& where);
  void start_layer(layer_draft layer, const std::string& where);
  void require_flat(const std::string& where, const std::string& op) const;
  model finish(const ModelProto& m);

  std::string source_;
  std::int64_t opset_ = 0;
  std::unordered_map<std::string, constant> constants_;
  std::string current_;                 // the tensor flowing down the chain
  std::vector<std::int64_t> row_dims_;  // its dimensions after the batch
  std::size_t width_ = 0;               // their product
  std::vector<float> mean_;
  std::vector<float> stddev_;
  bool divided_ = false;
  std::vector<layer_draft> layers_;
};

void onnx_reader::check_opset(const ModelProto& m) {
  for (const auto& entry : m.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx") opset_ = entry.version();
  }
  if (opset_ == 0) fail(onnx_error_code::unsupported, "", "no ai.onnx opset is imported");
  if (opset_ < min_opset || opset_ > max_opset) {
    fail(onnx_error_code::unsupported, "",
         "opset " + std::to_string(opset_) + " is not supported (7 to 21 are)");
  }
}

std::size_t onnx_reader::element_count(const TensorProto& t, const std::string& where) const {
  std::size_t count = 1;
  for (const std::int64_t d : t.dims()) {
    if (d < 0) fail(onnx_error_code::bad_value, where, "negative dimension " + std::to_string(d));
    // Each step keeps count <= max_model_parameters, so the product cannot overflow.
    if (d != 0 && count > max_model_parameters / static_cast<std::size_t>(d)) {
      fail(onnx_error_code::unsupported, where,
           "more than " + std::to_string(max_model_parameters) + " elements");
    }
    count *= static_cast<std::size_t>(d);
  }
  return count;
}

constant onnx_reader::read_tensor(const TensorProto& t, const std::string& where) const {
  if (t.data_location() == TensorProto::EXTERNAL || t.external_data_size() != 0) {
    fail(onnx_error_code::unsupported, where,
         "stored as external data; only tensors inside the file are supported (save the model "
         "without save_as_external_data)");
  }
  const std::size_t count = element_count(t, where);
  constant c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  if (t.data_type() == TensorProto::INT64) {
    c.is_int = true;
    if (t.has_raw_data()) {
      if (t.raw_data().size() != count * sizeof(std::int64_t)) {
        fail(onnx_error_code::bad_value, where, "raw data does not match its shape");
      }
      c.ints.resize(count);
      if (count != 0) std::memcpy(c.ints.data(), t.raw_data().data(), t.raw_data().size());
    } else {
      if (static_cast<std::size_t>(t.int64_data_size()) != count) {
        fail(onnx_error_code::bad_value, where, "int64 data does not match its shape");
      }
      c.ints.assign(t.int64_data().begin(), t.int64_data().end());
    }
    return c;
  }
  if (t.data_type() != TensorProto::FLOAT) {
    fail(onnx_error_code::unsupported, where,
         std::string("tensor of ") + tensor_type_name(t.data_type()) +
             ": only float32 is supported (export the model in float32)");
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != count * sizeof(float) || t.float_data_size() != 0) {
      fail(onnx_error_code::bad_value, where,
           "raw data of " + std::to_string(t.raw_data().size()) + " bytes for " +
               std::to_string(count) + " float32 values");
    }
    c.floats.resize(count);
    // ONNX raw data is little-endian, as is every target simdnn builds for (x86-64).
    if (count != 0) std::memcpy(c.floats.data(), t.raw_data().data(), t.raw_data().size());
  } else {
    if (static_cast<std::size_t>(t.float_data_size()) != count) {
      fail(onnx_error_code::bad_value, where,
           std::to_string(t.float_data_size()) + " float values for " + std::to_string(count) +
               " elements");
    }
    c.floats.assign(t.float_data().begin(), t.float_data().end());
  }
  for (std::size_t i = 0; i < c.floats.size(); ++i) {
    if (!std::isfinite(c.floats[i])) {
      fail(
          onnx_error_code::bad_value, where,
          "element " + std::to_string(i) + " is " + (std::isnan(c.floats[i]) ? "NaN" : "infinite"));
    }
  }
  return c;
}

void onnx_reader::read_initializers(const GraphProto& g) {
  if (g.sparse_initializer_size() != 0) {
    fail(onnx_error_code::unsupported, "sparse initializer", "sparse tensors are not supported");
  }
  for (const TensorProto& t : g.initializer()) {
    const std::string where = "initializer " + in_quotes(t.name());
    if (t.name().empty()) fail(onnx_error_code::malformed, where, "has no name");
    constants_[t.name()] = read_tensor(t, where);
  }
}

void onnx_reader::read_input(const GraphProto& g) {
  const onnx_io::proto::ValueInfoProto* input = nullptr;
  for (const auto& candidate : g.input()) {
    if (constants_.count(candidate.name()) != 0) continue;  // IR < 4 lists initializers too
    if (input != nullptr) {
      fail(onnx_error_code::unsupported, "input " + in_quotes(candidate.name()),
           "a second graph input: simdnn models have one");
    }
    input = &candidate;
  }
  if (input == nullptr) fail(onnx_error_code::unsupported, "graph", "no input");
  const std::string where = "input " + in_quotes(input->name());
  if (!input->type().has_tensor_type()) fail(onnx_error_code::unsupported, where, "not a tensor");
  const auto& type = input->type().tensor_type();
  if (type.elem_type() != TensorProto::FLOAT) {
    fail(onnx_error_code::unsupported, where,
         std::string("of ") + tensor_type_name(type.elem_type()) + ": only float32 is supported");
  }
  if (!type.has_shape() || type.shape().dim_size() < 2) {
    fail(onnx_error_code::unsupported, where,
         "needs a shape [batch, features...] of rank 2 or more");
  }
  width_ = 1;
  for (int i = 1; i < type.shape().dim_size(); ++i) {
    const auto& dim = type.shape().dim(i);
    if (!dim.has_dim_value() || dim.dim_value() <= 0) {
      fail(onnx_error_code::unsupported, where,
           "dimension " + std::to_string(i) +
               " is not a fixed positive size (only the batch, dimension 0, may be dynamic)");
    }
    if (static_cast<std::size_t>(dim.dim_value()) > max_model_width / width_) {
      fail(onnx_error_code::unsupported, where,
           "more than " + std::to_string(max_model_width) + " features");
    }
    width_ *= static_cast<std::size_t>(dim.dim_value());
    row_dims_.push_back(dim.dim_value());
  }
  current_ = input->name();
}

const constant& onnx_reader::operand(const NodeProto& node, int index,
                                     const std::string& where) const {
  const auto found = constants_.find(node.input(index));
  if (found == constants_.end()) {
    fail(onnx_error_code::unsupported, where,
         "input " + std::to_string(index) + " " + in_quotes(node.input(index)) +
             " is not a constant in the file (only one tensor may flow through the chain)");
  }
  return found->second;
}

std::int64_t onnx_reader::int_attribute(const NodeProto& node, const std::string& name,
                                        std::int64_t fallback) const {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

float onnx_reader::float_attribute(const NodeProto& node, const std::string& name,
                                   float fallback) const {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return a.f();
  }
  return fallback;
}

// A constant that broadcasts to one row of `width` values: [width], [1, width], [1] or a scalar.
std::vector<float> onnx_reader::broadcast_row(const constant& c, std::size_t width,
                                              const std::string& what,
                                              const std::string& where) const {
  std::size_t leading = 1;
  for (std::size_t i = 0; i + 1 < c.dims.size(); ++i) {
    leading *= static_cast<std::size_t>(c.dims[i]);
  }
  if (c.is_int || leading != 1 || (c.floats.size() != width && c.floats.size() != 1)) {
    fail(onnx_error_code::unsupported, where,
         what + " does not broadcast as one row of " + std::to_string(width) +
             " float32 values (shape [" + std::to_string(c.floats.size()) +
             " elements]; expected [" + std::to_string(width) + "], [1, " + std::to_string(width) +
             "] or a scalar)");
  }
  return c.floats.size() == width ? c.floats : std::vector<float>(width, c.floats.front());
}

void onnx_reader::require_flat(const std::string& where, const std::string& op) const {
  if (row_dims_.size() != 1) {
    fail(onnx_error_code::unsupported, where,
         op + " on a tensor of rank " + std::to_string(row_dims_.size() + 1) +
             ": flatten it to [batch, features] first");
  }
}

void onnx_reader::on_standardize(const NodeProto& node, const std::string& where, bool divide) {
  const std::string op = divide ? "Div" : "Sub";
  if (!layers_.empty()) {
    fail(onnx_error_code::unsupported, where,
         op + " after the first layer: only input standardization, (x - mean) / stddev before "
              "the first Gemm or MatMul, is supported");
  }
  if (node.input_size() != 2 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where,
         op + " must take the data as its first input and a constant as its second");
  }
  require_flat(where, op);
  const std::vector<float> values = broadcast_row(operand(node, 1, where), width_,
                                                  divide ? "the divisor" : "the subtrahend", where);
  if (!divide) {
    if (!mean_.empty() || divided_) {
      fail(onnx_error_code::unsupported, where,
           "a second Sub, or Sub after Div: only (x - mean) / stddev is supported");
    }
    mean_ = values;
    return;
  }
  if (divided_) fail(onnx_error_code::unsupported, where, "a second Div");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] > 0.0f)) {
      fail(onnx_error_code::bad_value, where,
           "divisor " + std::to_string(i) + " is not positive (a standard deviation must be)");
    }
  }
  stddev_ = values;
  divided_ = true;
}

void onnx_reader::start_layer(layer_draft layer, const std::string& where) {
  if (!layers_.empty() && activation_output_only(layers_.back().act)) {
    fail(onnx_error_code::unsupported, where,
         "a layer after the softmax of " + layers_.back().node +
             ": softmax must be the last layer's activation");
  }
  if (layers_.size() >= max_model_layers) {
    fail(onnx_error_code::unsupported, where,
         "more than " + std::to_string(max_model_layers) + " layers");
  }
  layer.node = where;
  width_ = layer.outputs;
  layers_.push_back(std::move(layer));
}

void onnx_reader::on_gemm(const NodeProto& node, const std::string& where) {
  if (node.input_size() < 2 || node.input_size() > 3 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where,
         "Gemm must take the data as its input A and constants as B (and C)");
  }
  require_flat(where, "Gemm");
  if (int_attribute(node, "transA", 0) != 0) {
    fail(onnx_error_code::unsupported, where, "transA = 1 would transpose the batch");
  }
  const bool trans_b = int_attribute(node, "transB", 0) != 0;
  const float alpha = float_attribute(node, "alpha", 1.0f);
  const float beta = float_attribute(node, "beta", 1.0f);
  if (!std::isfinite(alpha) || !std::isfinite(beta)) {
    fail(onnx_error_code::bad_value, where, "alpha or beta is not finite");
  }
  const constant& b = operand(node, 1, where);
  if (b.is_int || b.dims.size() != 2) {
    fail(onnx_error_code::unsupported, where, "B is not a float32 matrix");
  }
  const auto k = static_cast<std::size_t>(trans_b ? b.dims[1] : b.dims[0]);
  const auto n = static_cast<std::size_t>(trans_b ? b.dims[0] : b.dims[1]);
  if (k != width_) {
    fail(onnx_error_code::unsupported, where,
         "B has " + std::to_string(k) + " rows for an input of " + std::to_string(width_) +
             " features: the widths do not chain");
  }
  if (n == 0) fail(onnx_error_code::unsupported, where, "a layer with no outputs");
  layer_draft layer;
  layer.inputs = k;
  layer.outputs = n;
  layer.weights.resize(k * n);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const float w = trans_b ? b.floats[j * k + i] : b.floats[i * n + j];
      layer.weights[i * n + j] = alpha == 1.0f ? w : alpha * w;
    }
  }
  if (node.input_size() == 3 && !node.input(2).empty()) {
    layer.biases = broadcast_row(operand(node, 2, where), n, "C", where);
    if (beta != 1.0f) {
      for (float& v : layer.biases) v *= beta;
    }
  }
  start_layer(std::move(layer), where);
}

void onnx_reader::on_matmul(const NodeProto& node, const std::string& where) {
  if (node.input_size() != 2 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where,
         "MatMul must take the data as its first input and a constant matrix as its second");
  }
  require_flat(where, "MatMul");
  const constant& b = operand(node, 1, where);
  if (b.is_int || b.dims.size() != 2) {
    fail(onnx_error_code::unsupported, where, "the second input is not a float32 matrix");
  }
  if (static_cast<std::size_t>(b.dims[0]) != width_) {
    fail(onnx_error_code::unsupported, where,
         "the matrix has " + std::to_string(b.dims[0]) + " rows for an input of " +
             std::to_string(width_) + " features: the widths do not chain");
  }
  if (b.dims[1] == 0) fail(onnx_error_code::unsupported, where, "a layer with no outputs");
  layer_draft layer;
  layer.inputs = width_;
  layer.outputs = static_cast<std::size_t>(b.dims[1]);
  layer.weights = b.floats;
  layer.from_matmul = true;
  start_layer(std::move(layer), where);
}

void onnx_reader::on_add(const NodeProto& node, const std::string& where) {
  if (layers_.empty() || !layers_.back().from_matmul || layers_.back().has_activation ||
      !layers_.back().biases.empty()) {
    fail(onnx_error_code::unsupported, where,
         "Add is supported only as the bias right after a MatMul");
  }
  if (node.input_size() != 2 || (node.input(0) != current_ && node.input(1) != current_)) {
    fail(onnx_error_code::unsupported, where, "Add must take the MatMul's output and a constant");
  }
  const int other = node.input(0) == current_ ? 1 : 0;
  layers_.back().biases = broadcast_row(operand(node, other, where), width_, "the bias", where);
}

void onnx_reader::on_activation(const NodeProto& node, const std::string& where, activation a) {
  if (node.input_size() != 1 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where, "must take the data as its only input");
  }
  if (layers_.empty()) {
    fail(onnx_error_code::unsupported, where,
         "an activation before the first Gemm or MatMul: simdnn applies activations after a "
         "layer only");
  }
  layer_draft& layer = layers_.back();
  if (layer.has_activation) {
    fail(onnx_error_code::unsupported, where,
         "a second activation on the layer of " + layer.node + " (one per layer)");
  }
  layer.has_activation = true;
  layer.act = a;
  if (a == activation::leaky_relu) {
    const float slope = float_attribute(node, "alpha", default_leaky_relu_slope);
    if (!std::isfinite(slope) || slope < 0.0f) {
      fail(onnx_error_code::unsupported, where,
           "alpha " + std::to_string(slope) + ": leaky_relu needs a finite slope >= 0");
    }
    layer.parameter = slope;
  }
  if (a == activation::softmax) {
    // Before opset 13 the default axis is 1, which on [batch, n] is the last axis too.
    const std::int64_t axis = int_attribute(node, "axis", opset_ >= 13 ? -1 : 1);
    if (axis != -1 && axis != 1) {
      fail(onnx_error_code::unsupported, where,
           "axis " + std::to_string(axis) + ": only the last axis (-1 or 1) is supported");
    }
  }
}

void onnx_reader::on_flatten(const NodeProto& node, const std::string& where) {
  if (node.input_size() != 1 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where, "must take the data as its only input");
  }
  if (int_attribute(node, "axis", 1) != 1) {
    fail(onnx_error_code::unsupported, where,
         "only axis 1 (keep the batch, flatten the rest) is supported");
  }
  row_dims_.assign(1, static_cast<std::int64_t>(width_));
}

void onnx_reader::on_reshape(const NodeProto& node, const std::string& where) {
  if (node.input_size() != 2 || node.input(0) != current_) {
    fail(onnx_error_code::unsupported, where, "must take the data and a constant shape");
  }
  const constant& shape = operand(node, 1, where);
  const bool batch_kept =
      shape.is_int && shape.ints.size() == 2 && (shape.ints[0] == -1 || shape.ints[0] == 0);
  if (!batch_kept || (shape.ints[1] != static_cast<std::int64_t>(width_) &&
                      !(shape.ints[1] == -1 && shape.ints[0] == 0))) {
    fail(onnx_error_code::unsupported, where,
         "only a reshape to [-1, " + std::to_string(width_) + "] or [0, " + std::to_string(width_) +
             "] (keep the batch, flatten the rest) is supported");
  }
  row_dims_.assign(1, static_cast<std::int64_t>(width_));
}

void onnx_reader::walk_node(const NodeProto& node, const std::string& where) {
  const std::string& op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    fail(onnx_error_code::unsupported, where,
         "domain " + in_quotes(node.domain()) + " is not supported (only ai.onnx)");
  }
  if (op == "Constant") {
    if (node.output_size() != 1 || node.attribute_size() != 1 ||
        node.attribute(0).name() != "value" || !node.attribute(0).has_t()) {
      fail(onnx_error_code::unsupported, where, "only a Constant with a tensor value is supported");
    }
    constants_[node.output(0)] = read_tensor(node.attribute(0).t(), where);
    return;
  }
  if (node.input_size() == 0 || node.input(0) != current_) {
    // Add may take the data second; every other op takes it first.
    const bool add_second = op == "Add" && node.input_size() == 2 && node.input(1) == current_;
    if (!add_second) {
      fail(onnx_error_code::unsupported, where,
           "does not consume " + in_quotes(current_) +
               ", the output of the node before: only a single chain from the input is "
               "supported (no branches, no second input)");
    }
  }
  if (node.output_size() != 1 || node.output(0).empty()) {
    fail(onnx_error_code::unsupported, where, "must have exactly one output");
  }
  if (op == "Gemm") {
    on_gemm(node, where);
  } else if (op == "MatMul") {
    on_matmul(node, where);
  } else if (op == "Add") {
    on_add(node, where);
  } else if (op == "Sub" || op == "Div") {
    on_standardize(node, where, op == "Div");
  } else if (op == "Relu") {
    on_activation(node, where, activation::relu);
  } else if (op == "LeakyRelu") {
    on_activation(node, where, activation::leaky_relu);
  } else if (op == "Sigmoid") {
    on_activation(node, where, activation::sigmoid);
  } else if (op == "Tanh") {
    on_activation(node, where, activation::tanh);
  } else if (op == "Softmax") {
    on_activation(node, where, activation::softmax);
  } else if (op == "Flatten") {
    on_flatten(node, where);
  } else if (op == "Reshape") {
    on_reshape(node, where);
  } else if (op != "Identity") {
    fail(onnx_error_code::unsupported, where,
         "op " + in_quotes(op) +
             " is not supported (simdnn reads Gemm, MatMul, Add, Sub, Div, Relu, LeakyRelu, "
             "Sigmoid, Tanh, Softmax, Identity, Flatten, Reshape, Constant)");
  }
  current_ = node.output(0);
}

model onnx_reader::finish(const ModelProto& m) {
  const GraphProto& g = m.graph();
  if (g.output_size() != 1) {
    fail(onnx_error_code::unsupported, "graph",
         std::to_string(g.output_size()) + " outputs: simdnn models have one");
  }
  if (g.output(0).name() != current_) {
    fail(onnx_error_code::unsupported, "output " + in_quotes(g.output(0).name()),
         "is not the end of the chain (" + in_quotes(current_) + " is)");
  }
  if (layers_.empty()) {
    fail(onnx_error_code::unsupported, "graph", "no Gemm or MatMul: there is no layer to import");
  }
  require_flat("output " + in_quotes(current_), "the output");
  model_parameters p;
  p.widths.push_back(layers_.front().inputs);
  bool any_bias = false;
  bool any_parameter = false;
  for (const layer_draft& layer : layers_) {
    p.widths.push_back(layer.outputs);
    p.activations.push_back(layer.act);
    p.activation_parameters.push_back(layer.parameter);
    any_bias = any_bias || !layer.biases.empty();
    // A slope of 0 is a real slope: keep the parameters whenever a layer takes one.
    any_parameter = any_parameter || activation_has_parameter(layer.act);
  }
  if (!any_parameter) p.activation_parameters.clear();
  p.bias = any_bias;
  for (layer_draft& layer : layers_) {
    p.weights.push_back(std::move(layer.weights));
    if (any_bias && layer.biases.empty()) layer.biases.assign(layer.outputs, 0.0f);
    p.biases.push_back(any_bias ? std::move(layer.biases) : std::vector<float>{});
  }
  if (!mean_.empty() || divided_) {
    p.input_mean = mean_.empty() ? std::vector<float>(p.widths[0], 0.0f) : mean_;
    p.input_stddev = divided_ ? stddev_ : std::vector<float>(p.widths[0], 1.0f);
  }
  // What the simdnn writer records beyond plain ONNX: sigmoid_fast layers, class names.
  std::unordered_map<std::string, std::string> metadata;
  for (const auto& entry : m.metadata_props()) metadata[entry.key()] = entry.value();
  for (std::size_t l = 0; l < p.activations.size(); ++l) {
    const auto found = metadata.find(onnx_io::layer_activation_key(l));
    if (found != metadata.end() && found->second == "sigmoid_fast" &&
        p.activations[l] == activation::sigmoid) {
      p.activations[l] = activation::sigmoid_fast;
    }
  }
  for (std::size_t c = 0; c < p.widths.back(); ++c) {
    const auto found = metadata.find(onnx_io::class_name_key(c));
    if (found == metadata.end()) break;
    p.class_names.push_back(found->second);
  }
  if (p.class_names.size() != p.widths.back()) p.class_names.clear();
  try {
    return model(std::move(p));
  } catch (const std::invalid_argument& error) {
    fail(onnx_error_code::bad_value, "graph", error.what());
  }
}

model onnx_reader::read(const ModelProto& m) {
  check_opset(m);
  if (!m.has_graph()) fail(onnx_error_code::malformed, "", "no graph");
  const GraphProto& g = m.graph();
  if (static_cast<std::size_t>(g.node_size()) > max_onnx_nodes) {
    fail(onnx_error_code::unsupported, "graph",
         std::to_string(g.node_size()) + " nodes (at most " + std::to_string(max_onnx_nodes) + ")");
  }
  read_initializers(g);
  read_input(g);
  for (int i = 0; i < g.node_size(); ++i) {
    const NodeProto& node = g.node(i);
    walk_node(node, "node " + std::to_string(i) + " " + in_quotes(node.name()) + " (" +
                        node.op_type() + ")");
  }
  return finish(m);
}

}  // namespace

model parse_onnx(std::span<const std::byte> bytes, std::string_view source) {
  const std::string name(source);
  if (bytes.size() > max_onnx_file_bytes) {
    throw onnx_error(onnx_error_code::file_too_large, name, "",
                     std::to_string(bytes.size()) + " bytes (at most " +
                         std::to_string(max_onnx_file_bytes) + ")");
  }
  // Framing first: a truncated or damaged file is named with the byte where it goes wrong.
  if (const auto damage = onnx_io::find_wire_damage(bytes)) {
    throw onnx_error(onnx_error_code::malformed, name, "byte " + std::to_string(damage->offset),
                     damage->reason + " (not a valid ONNX file: truncated or damaged)");
  }
  onnx_io::proto::ModelProto m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw onnx_error(onnx_error_code::malformed, name, "",
                     "not an ONNX ModelProto (protobuf parsing failed: truncated, damaged or "
                     "nested too deeply)");
  }
  return onnx_reader(name).read(m);
}

}  // namespace simdnn
