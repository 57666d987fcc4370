// lib/io/model.cpp — the model file format of simdnn/model.hpp: CRC-32C, serialization, the
// validating parser and the atomic save.
//
// Byte order is explicit everywhere (shifts, never memcpy of integers), so the code would read
// and write the same files on a big-endian machine; floats travel through std::bit_cast.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "io/checks.hpp"
#include "simdnn/model.hpp"

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
    case model_error_code::io_error: return "io_error";
    case model_error_code::file_too_large: return "file_too_large";
    case model_error_code::truncated: return "truncated";
    case model_error_code::bad_magic: return "bad_magic";
    case model_error_code::unsupported_version: return "unsupported_version";
    case model_error_code::bad_byte_order: return "bad_byte_order";
    case model_error_code::trailing_bytes: return "trailing_bytes";
    case model_error_code::checksum_mismatch: return "checksum_mismatch";
    case model_error_code::unknown_flags: return "unknown_flags";
    case model_error_code::no_layers: return "no_layers";
    case model_error_code::too_many_layers: return "too_many_layers";
    case model_error_code::zero_width: return "zero_width";
    case model_error_code::width_too_large: return "width_too_large";
    case model_error_code::layers_do_not_chain: return "layers_do_not_chain";
    case model_error_code::bad_activation: return "bad_activation";
    case model_error_code::too_many_parameters: return "too_many_parameters";
    case model_error_code::payload_size_mismatch: return "payload_size_mismatch";
    case model_error_code::bad_class_names: return "bad_class_names";
    case model_error_code::bad_standardization: return "bad_standardization";
    case model_error_code::non_finite_value: return "non_finite_value";
    case model_error_code::bad_padding: return "bad_padding";
  }
  return "unknown";
}

// ------------------------------------------------------------------------------------------------
// The layout (shared by the writer and the parser)
// ------------------------------------------------------------------------------------------------
namespace {

constexpr std::array<std::uint8_t, 8> file_magic = {0x89, 's', 'i', 'm', 'd', 'n', 'n', '\n'};
constexpr std::uint32_t byte_order_mark = 0x01020304u;
constexpr std::size_t header_bytes = 40;
constexpr std::size_t layer_record_bytes = 12;
constexpr std::size_t checksum_bytes = 4;

constexpr std::size_t offset_version = 8;
constexpr std::size_t offset_byte_order = 12;
constexpr std::size_t offset_file_size = 16;
constexpr std::size_t offset_layer_count = 24;
constexpr std::size_t offset_flags = 28;
constexpr std::size_t offset_class_count = 32;
constexpr std::size_t offset_name_bytes = 36;

constexpr std::uint32_t flag_bias = 1u << 0;
constexpr std::uint32_t flag_standardization = 1u << 1;
constexpr std::uint32_t flag_class_names = 1u << 2;
constexpr std::uint32_t known_flags = flag_bias | flag_standardization | flag_class_names;

// Activation codes in the file: fixed here, independent of the C++ enumerators' values.
constexpr std::uint32_t file_sigmoid = 1;
constexpr std::uint32_t file_identity = 2;

std::uint32_t activation_code(activation a) noexcept {
  return a == activation::identity ? file_identity : file_sigmoid;
}

std::size_t padding_after(std::size_t bytes) noexcept { return (4 - bytes % 4) % 4; }

// ------------------------------------------------------------------------------------------------
// Validation shared by model's constructor and save (std::invalid_argument)
// ------------------------------------------------------------------------------------------------
[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("simdnn::model: " + what);
}

using io::all_finite;

// The first problem with a set of class names for `outputs` outputs, or empty.
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

void validate(const model_parameters& p) {
  const std::size_t layers = p.widths.size() < 2 ? 0 : p.widths.size() - 1;
  if (layers == 0) invalid("needs at least 2 widths (inputs and outputs)");
  if (layers > max_model_layers) {
    invalid(std::to_string(layers) + " layers, more than " + std::to_string(max_model_layers));
  }
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < p.widths.size(); ++i) {
    if (p.widths[i] == 0) invalid("width " + std::to_string(i) + " is 0");
    if (p.widths[i] > max_model_width) {
      invalid("width " + std::to_string(i) + " is above " + std::to_string(max_model_width));
    }
  }
  for (std::size_t l = 0; l < layers; ++l) {
    // Each width <= 2^24: the product fits easily, and the running sum is checked per layer.
    parameters += p.widths[l] * p.widths[l + 1] + (p.bias ? p.widths[l + 1] : 0);
    if (parameters > max_model_parameters) {
      invalid("more than " + std::to_string(max_model_parameters) + " parameters");
    }
  }
  if (p.activations.size() != layers) {
    invalid(std::to_string(p.activations.size()) + " activations for " + std::to_string(layers) +
            " layers");
  }
  for (std::size_t l = 0; l < layers; ++l) {
    if (p.activations[l] != activation::sigmoid && p.activations[l] != activation::identity) {
      invalid("activation of layer " + std::to_string(l) + " is not a simdnn::activation value");
    }
  }
  if (p.weights.size() != layers || p.biases.size() != layers) {
    invalid("weights and biases need one entry per layer");
  }
  for (std::size_t l = 0; l < layers; ++l) {
    const std::string layer = "layer " + std::to_string(l);
    if (p.weights[l].size() != p.widths[l] * p.widths[l + 1]) {
      invalid(layer + ": " + std::to_string(p.weights[l].size()) + " weights, expected " +
              std::to_string(p.widths[l] * p.widths[l + 1]));
    }
    const std::size_t expected_biases = p.bias ? p.widths[l + 1] : 0;
    if (p.biases[l].size() != expected_biases) {
      invalid(layer + ": " + std::to_string(p.biases[l].size()) + " biases, expected " +
              std::to_string(expected_biases));
    }
    if (!all_finite(p.weights[l]) || !all_finite(p.biases[l])) {
      invalid(layer + ": NaN or infinity in weights or biases");
    }
  }
  const bool has_mean = !p.input_mean.empty();
  const bool has_stddev = !p.input_stddev.empty();
  if (has_mean || has_stddev) {
    if (p.input_mean.size() != p.widths[0] || p.input_stddev.size() != p.widths[0]) {
      invalid("input standardization needs " + std::to_string(p.widths[0]) +
              " means and standard deviations");
    }
    if (!all_finite(p.input_mean) || !all_finite(p.input_stddev)) {
      invalid("NaN or infinity in the input standardization");
    }
    for (float s : p.input_stddev) {
      if (!(s > 0.0f)) invalid("a standard deviation is not positive");
    }
  }
  if (std::string problem = class_name_problem(p.class_names, p.widths.back()); !problem.empty()) {
    invalid(problem);
  }
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// model
// ------------------------------------------------------------------------------------------------
model::model(model_parameters parameters) : parameters_(std::move(parameters)) {
  validate(parameters_);
}

model::model(model_parameters parameters, trusted) noexcept
    : parameters_(std::move(parameters)) {}

model::model(const network& net, std::vector<std::string> class_names) {
  if (net.layer_count() == 0) invalid("the network is empty (moved from)");
  model_parameters& p = parameters_;
  p.widths.assign(net.widths().begin(), net.widths().end());
  p.bias = net.has_bias();
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    p.activations.push_back(net.layer_activation(l));
    const std::span<const float> w = net.weights(l);
    const std::span<const float> b = net.biases(l);
    p.weights.emplace_back(w.begin(), w.end());
    p.biases.emplace_back(b.begin(), b.end());
  }
  const std::span<const float> mean = net.input_mean();
  const std::span<const float> stddev = net.input_stddev();
  p.input_mean.assign(mean.begin(), mean.end());
  p.input_stddev.assign(stddev.begin(), stddev.end());
  p.class_names = std::move(class_names);
  // A network can hold NaN weights after a diverged training run; the format cannot.
  validate(p);
}

std::size_t model::layer_count() const noexcept { return parameters_.widths.size() - 1; }
std::span<const std::size_t> model::widths() const noexcept { return parameters_.widths; }
std::size_t model::input_width() const noexcept { return parameters_.widths.front(); }
std::size_t model::output_width() const noexcept { return parameters_.widths.back(); }
activation model::layer_activation(std::size_t layer) const noexcept {
  return layer < layer_count() ? parameters_.activations[layer] : activation::sigmoid;
}
std::span<const float> model::weights(std::size_t layer) const noexcept {
  if (layer >= layer_count()) return {};
  return parameters_.weights[layer];
}
std::span<const float> model::biases(std::size_t layer) const noexcept {
  if (layer >= layer_count()) return {};
  return parameters_.biases[layer];
}
bool model::has_input_standardization() const noexcept {
  return !parameters_.input_mean.empty();
}
std::span<const float> model::input_mean() const noexcept { return parameters_.input_mean; }
std::span<const float> model::input_stddev() const noexcept { return parameters_.input_stddev; }
std::span<const std::string> model::class_names() const noexcept {
  return parameters_.class_names;
}
std::size_t model::parameter_count() const noexcept {
  std::size_t count = 0;
  for (std::size_t l = 0; l < layer_count(); ++l) {
    count += parameters_.weights[l].size() + parameters_.biases[l].size();
  }
  return count;
}

network model::make_network(network_options options) const {
  options.activations = parameters_.activations;
  options.bias = parameters_.bias;
  network net(parameters_.widths, options);
  for (std::size_t l = 0; l < layer_count(); ++l) {
    std::copy(parameters_.weights[l].begin(), parameters_.weights[l].end(),
              net.weights(l).begin());
    std::copy(parameters_.biases[l].begin(), parameters_.biases[l].end(), net.biases(l).begin());
  }
  if (has_input_standardization()) {
    net.set_input_standardization(parameters_.input_mean, parameters_.input_stddev);
  }
  return net;
}

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------
namespace {

class byte_writer {
 public:
  explicit byte_writer(std::size_t capacity) { bytes_.reserve(capacity); }
  void u8(std::uint8_t v) { bytes_.push_back(static_cast<std::byte>(v)); }
  void u32(std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void u64(std::uint64_t v) {
    for (int shift = 0; shift < 64; shift += 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void floats(std::span<const float> values) {
    for (float v : values) f32(v);
  }
  void text(std::string_view s) {
    for (char c : s) u8(static_cast<std::uint8_t>(c));
  }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  std::vector<std::byte> take() { return std::move(bytes_); }
  [[nodiscard]] std::span<const std::byte> view() const noexcept { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

std::uint32_t u32_of(std::size_t v) { return static_cast<std::uint32_t>(v); }

}  // namespace

std::vector<std::byte> serialize_model(const model& m) {
  const model_parameters& p = m.parameters();
  const std::size_t layers = m.layer_count();
  std::size_t name_bytes = 0;
  for (const std::string& name : p.class_names) name_bytes += name.size();
  std::size_t size = header_bytes + layer_record_bytes * layers;
  if (m.has_input_standardization()) size += 8 * m.input_width();
  size += 4 * m.parameter_count();
  if (!p.class_names.empty()) size += 4 * p.class_names.size() + name_bytes;
  size += padding_after(size) + checksum_bytes;

  std::uint32_t flags = 0;
  if (p.bias) flags |= flag_bias;
  if (m.has_input_standardization()) flags |= flag_standardization;
  if (!p.class_names.empty()) flags |= flag_class_names;

  byte_writer out(size);
  for (std::uint8_t b : file_magic) out.u8(b);
  out.u32(model_format_version);
  out.u32(byte_order_mark);
  out.u64(size);
  out.u32(u32_of(layers));
  out.u32(flags);
  out.u32(u32_of(p.class_names.size()));
  out.u32(u32_of(name_bytes));
  for (std::size_t l = 0; l < layers; ++l) {
    out.u32(u32_of(p.widths[l]));
    out.u32(u32_of(p.widths[l + 1]));
    out.u32(activation_code(p.activations[l]));
  }
  if (m.has_input_standardization()) {
    out.floats(p.input_mean);
    out.floats(p.input_stddev);
  }
  for (std::size_t l = 0; l < layers; ++l) {
    out.floats(p.weights[l]);
    out.floats(p.biases[l]);
  }
  for (const std::string& name : p.class_names) out.u32(u32_of(name.size()));
  for (const std::string& name : p.class_names) out.text(name);
  for (std::size_t i = padding_after(out.size()); i > 0; --i) out.u8(0);
  out.u32(crc32c(out.view()));
  return out.take();
}

// ------------------------------------------------------------------------------------------------
// Parsing: check everything, in the documented order, before building anything
// ------------------------------------------------------------------------------------------------
namespace {

class parser {
 public:
  parser(std::span<const std::byte> bytes, std::string_view source)
      : bytes_(bytes), source_(source) {}

  [[noreturn]] void fail(model_error_code code, std::optional<std::uint64_t> offset,
                         const std::string& reason) const {
    throw model_error(code, source_, offset, reason);
  }

  // Callers check the range first; these never read outside the buffer.
  [[nodiscard]] std::uint32_t u32(std::size_t at) const noexcept {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint32_t>(bytes_[at + i]);
    return v;
  }
  [[nodiscard]] std::uint64_t u64(std::size_t at) const noexcept {
    return std::uint64_t{u32(at)} | (std::uint64_t{u32(at + 4)} << 32);
  }
  [[nodiscard]] float f32(std::size_t at) const noexcept { return std::bit_cast<float>(u32(at)); }

  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return bytes_; }

 private:
  std::span<const std::byte> bytes_;
  std::string source_;
};

struct layout {
  std::size_t layers = 0;
  std::uint32_t flags = 0;
  std::size_t class_count = 0;
  std::size_t name_bytes = 0;
  std::vector<std::size_t> widths;  // allocated only once the layer count is within bounds
  std::vector<activation> activations;
  std::size_t statistics_offset = 0;
  std::size_t parameters_offset = 0;
  std::size_t names_offset = 0;  // the name lengths
  std::size_t padding_offset = 0;
  std::size_t checksum_offset = 0;
};

void check_envelope(const parser& in) {
  const std::size_t size = in.size();
  if (size > max_model_file_bytes) {
    in.fail(model_error_code::file_too_large, std::nullopt,
            "the file has " + std::to_string(size) + " bytes, more than any model (" +
                std::to_string(max_model_file_bytes) + ")");
  }
  if (size == 0) in.fail(model_error_code::truncated, 0, "the file is empty");
  for (std::size_t i = 0; i < std::min(size, file_magic.size()); ++i) {
    if (std::to_integer<std::uint8_t>(in.bytes()[i]) != file_magic[i]) {
      in.fail(model_error_code::bad_magic, i, "not a simdnn model file (wrong magic number)");
    }
  }
  const auto need = [&](std::size_t bytes, const char* what) {
    if (size < bytes) {
      in.fail(model_error_code::truncated, size,
              "the file ends after " + std::to_string(size) + " bytes, inside the " + what);
    }
  };
  need(file_magic.size(), "magic number");
  need(offset_version + 4, "format version");
  const std::uint32_t version = in.u32(offset_version);
  if (version == 0) in.fail(model_error_code::unsupported_version, offset_version, "format 0");
  if (version > model_format_version) {
    in.fail(model_error_code::unsupported_version, offset_version,
            "written by a newer simdnn (format " + std::to_string(version) +
                ", this build reads up to " + std::to_string(model_format_version) + ")");
  }
  need(header_bytes, "header");
  const std::uint32_t mark = in.u32(offset_byte_order);
  if (mark != byte_order_mark) {
    in.fail(model_error_code::bad_byte_order, offset_byte_order,
            mark == 0x04030201u ? "big-endian file (this format is little-endian)"
                                : "garbled byte-order mark");
  }
  const std::uint64_t declared = in.u64(offset_file_size);
  if (declared < header_bytes + checksum_bytes || declared % 4 != 0) {
    in.fail(model_error_code::payload_size_mismatch, offset_file_size,
            "declared file size " + std::to_string(declared) +
                " is below the minimum or not a multiple of 4");
  }
  if (size < declared) {
    in.fail(model_error_code::truncated, size,
            "the file has " + std::to_string(size) + " bytes but its header declares " +
                std::to_string(declared) + " (cut short)");
  }
  if (size > declared) {
    in.fail(model_error_code::trailing_bytes, declared,
            std::to_string(size - declared) + " bytes after the declared end of the model");
  }
  const std::size_t checksum_at = size - checksum_bytes;
  const std::uint32_t stored = in.u32(checksum_at);
  const std::uint32_t computed = crc32c(in.bytes().first(checksum_at));
  if (stored != computed) {
    char text[96];
    std::snprintf(text, sizeof text, "checksum mismatch (stored %08x, computed %08x): damaged",
                  static_cast<unsigned>(stored), static_cast<unsigned>(computed));
    in.fail(model_error_code::checksum_mismatch, checksum_at, text);
  }
}

layout check_header(const parser& in) {
  layout f;
  f.flags = in.u32(offset_flags);
  if ((f.flags & ~known_flags) != 0) {
    in.fail(model_error_code::unknown_flags, offset_flags,
            "flag bits this version does not define are set");
  }
  const std::uint32_t layers = in.u32(offset_layer_count);
  if (layers == 0) in.fail(model_error_code::no_layers, offset_layer_count, "no layers");
  if (layers > max_model_layers) {
    in.fail(model_error_code::too_many_layers, offset_layer_count,
            std::to_string(layers) + " layers, more than " + std::to_string(max_model_layers));
  }
  f.layers = layers;
  const std::size_t records_end = header_bytes + layer_record_bytes * f.layers;
  f.checksum_offset = in.size() - checksum_bytes;
  if (records_end > f.checksum_offset) {
    in.fail(model_error_code::payload_size_mismatch, header_bytes,
            std::to_string(f.layers) + " layer records do not fit in the file");
  }
  const bool bias = (f.flags & flag_bias) != 0;
  f.widths.reserve(f.layers + 1);
  f.activations.reserve(f.layers);
  std::uint64_t parameters = 0;
  for (std::size_t l = 0; l < f.layers; ++l) {
    const std::size_t at = header_bytes + layer_record_bytes * l;
    const std::string layer = "layer " + std::to_string(l);
    const std::uint32_t inputs = in.u32(at);
    const std::uint32_t outputs = in.u32(at + 4);
    const std::uint32_t code = in.u32(at + 8);
    for (const auto& [width, where, name] :
         {std::tuple{inputs, at, "inputs"}, std::tuple{outputs, at + 4, "outputs"}}) {
      if (width == 0) in.fail(model_error_code::zero_width, where, layer + " has 0 " + name);
      if (width > max_model_width) {
        in.fail(model_error_code::width_too_large, where,
                layer + " has " + std::to_string(width) + " " + name + ", more than " +
                    std::to_string(max_model_width));
      }
    }
    if (l > 0 && inputs != f.widths.back()) {
      in.fail(model_error_code::layers_do_not_chain, at,
              layer + " has " + std::to_string(inputs) + " inputs but layer " +
                  std::to_string(l - 1) + " has " + std::to_string(f.widths.back()) + " outputs");
    }
    if (code != file_sigmoid && code != file_identity) {
      in.fail(model_error_code::bad_activation, at + 8,
              layer + ": activation " + std::to_string(code) + " is not defined (1 sigmoid, " +
                  "2 identity)");
    }
    if (l == 0) f.widths.push_back(inputs);
    f.widths.push_back(outputs);
    f.activations.push_back(code == file_identity ? activation::identity : activation::sigmoid);
    // Both factors <= 2^24: the product and a running sum of at most 1024 of them fit in 64 bits.
    parameters += std::uint64_t{inputs} * outputs + (bias ? outputs : 0);
    if (parameters > max_model_parameters) {
      in.fail(model_error_code::too_many_parameters, at,
              "more than " + std::to_string(max_model_parameters) + " parameters by " + layer);
    }
  }
  f.class_count = in.u32(offset_class_count);
  f.name_bytes = in.u32(offset_name_bytes);
  if ((f.flags & flag_class_names) != 0) {
    if (f.class_count != f.widths.back()) {
      in.fail(model_error_code::bad_class_names, offset_class_count,
              std::to_string(f.class_count) + " class names for " +
                  std::to_string(f.widths.back()) + " outputs");
    }
    if (f.name_bytes < f.class_count || f.name_bytes > f.class_count * max_class_name_bytes) {
      in.fail(model_error_code::bad_class_names, offset_name_bytes,
              "class-name bytes " + std::to_string(f.name_bytes) + " cannot hold " +
                  std::to_string(f.class_count) + " names of 1 to " +
                  std::to_string(max_class_name_bytes) + " bytes");
    }
  } else if (f.class_count != 0 || f.name_bytes != 0) {
    in.fail(model_error_code::bad_class_names, offset_class_count,
            "class count or name bytes set without the class-names flag");
  }
  // Every term is bounded above (widths 2^24, parameters 2^28, names 2^36): no overflow.
  std::uint64_t end = records_end;
  f.statistics_offset = records_end;
  if ((f.flags & flag_standardization) != 0) end += std::uint64_t{8} * f.widths.front();
  f.parameters_offset = end;
  end += 4 * parameters;
  f.names_offset = end;
  if ((f.flags & flag_class_names) != 0) end += 4 * std::uint64_t{f.class_count} + f.name_bytes;
  f.padding_offset = end;
  end += padding_after(end) + checksum_bytes;
  if (end != in.size()) {
    in.fail(model_error_code::payload_size_mismatch, offset_file_size,
            "the header describes " + std::to_string(end) + " bytes but the file declares " +
                std::to_string(in.size()));
  }
  return f;
}

void check_values(const parser& in, const layout& f) {
  const auto check_finite = [&](std::size_t at, std::size_t count, const std::string& what) {
    for (std::size_t i = 0; i < count; ++i) {
      if (!std::isfinite(in.f32(at + 4 * i))) {
        in.fail(model_error_code::non_finite_value, at + 4 * i,
                what + " " + std::to_string(i) + " is NaN or infinite");
      }
    }
  };
  if ((f.flags & flag_standardization) != 0) {
    const std::size_t width = f.widths.front();
    check_finite(f.statistics_offset, width, "input mean");
    check_finite(f.statistics_offset + 4 * width, width, "input standard deviation");
    for (std::size_t i = 0; i < width; ++i) {
      const std::size_t at = f.statistics_offset + 4 * (width + i);
      if (!(in.f32(at) > 0.0f)) {
        in.fail(model_error_code::bad_standardization, at,
                "input standard deviation " + std::to_string(i) + " is not positive");
      }
    }
  }
  std::size_t at = f.parameters_offset;
  for (std::size_t l = 0; l < f.layers; ++l) {
    const std::size_t weights = f.widths[l] * f.widths[l + 1];
    check_finite(at, weights, "layer " + std::to_string(l) + " weight");
    at += 4 * weights;
    if ((f.flags & flag_bias) != 0) {
      check_finite(at, f.widths[l + 1], "layer " + std::to_string(l) + " bias");
      at += 4 * f.widths[l + 1];
    }
  }
}

std::vector<std::string> check_class_names(const parser& in, const layout& f) {
  std::vector<std::string> names;
  if ((f.flags & flag_class_names) == 0) return names;
  std::size_t total = 0;
  for (std::size_t c = 0; c < f.class_count; ++c) {
    const std::size_t at = f.names_offset + 4 * c;
    const std::uint32_t length = in.u32(at);
    if (length == 0 || length > max_class_name_bytes) {
      in.fail(model_error_code::bad_class_names, at,
              "class name " + std::to_string(c) + " has length " + std::to_string(length) +
                  " (1 to " + std::to_string(max_class_name_bytes) + ")");
    }
    total += length;
  }
  if (total != f.name_bytes) {
    in.fail(model_error_code::bad_class_names, offset_name_bytes,
            "the name lengths add up to " + std::to_string(total) + " bytes, the header says " +
                std::to_string(f.name_bytes));
  }
  names.reserve(f.class_count);
  std::size_t at = f.names_offset + 4 * f.class_count;
  for (std::size_t c = 0; c < f.class_count; ++c) {
    const std::size_t length = in.u32(f.names_offset + 4 * c);
    const auto* first = reinterpret_cast<const char*>(in.bytes().data() + at);
    names.emplace_back(first, length);
    at += length;
  }
  if (std::string problem = class_name_problem(names, f.widths.back()); !problem.empty()) {
    in.fail(model_error_code::bad_class_names, f.names_offset + 4 * f.class_count, problem);
  }
  return names;
}

void check_padding(const parser& in, const layout& f) {
  for (std::size_t at = f.padding_offset; at < f.checksum_offset; ++at) {
    if (in.bytes()[at] != std::byte{0}) {
      in.fail(model_error_code::bad_padding, at, "nonzero padding byte");
    }
  }
}

}  // namespace

model parse_model(std::span<const std::byte> bytes, std::string_view source) {
  const parser in(bytes, source);
  check_envelope(in);
  const layout f = check_header(in);
  check_values(in, f);
  std::vector<std::string> names = check_class_names(in, f);
  check_padding(in, f);

  // Everything is checked: build the model.
  model_parameters p;
  p.widths = f.widths;
  p.activations = f.activations;
  p.bias = (f.flags & flag_bias) != 0;
  const auto read_floats = [&](std::size_t at, std::size_t count) {
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i) values[i] = in.f32(at + 4 * i);
    return values;
  };
  if ((f.flags & flag_standardization) != 0) {
    p.input_mean = read_floats(f.statistics_offset, f.widths.front());
    p.input_stddev = read_floats(f.statistics_offset + 4 * f.widths.front(), f.widths.front());
  }
  std::size_t at = f.parameters_offset;
  for (std::size_t l = 0; l < f.layers; ++l) {
    const std::size_t weights = f.widths[l] * f.widths[l + 1];
    p.weights.push_back(read_floats(at, weights));
    at += 4 * weights;
    const std::size_t biases = p.bias ? f.widths[l + 1] : 0;
    p.biases.push_back(read_floats(at, biases));
    at += 4 * biases;
  }
  p.class_names = std::move(names);
  model result(std::move(p), model::trusted{});
  result.file_info_ = model_file_info{in.u32(offset_version), bytes.size(),
                                      in.u32(f.checksum_offset)};
  return result;
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------
namespace {

std::string system_reason(int error) { return std::strerror(error); }

[[noreturn]] void io_failure(const std::filesystem::path& file, const std::string& what,
                             int error) {
  throw model_error(model_error_code::io_error, file.string(), std::nullopt,
                    what + ": " + system_reason(error));
}

// Closes a descriptor on every path out of a scope unless released.
class descriptor {
 public:
  explicit descriptor(int fd) noexcept : fd_(fd) {}
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  // Closes now and reports the result: close can report a deferred write error (NFS, quotas).
  int close_checked() noexcept {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::span<const std::byte> bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

void save_model(const std::filesystem::path& file, const model& m) {
  const std::vector<std::byte> bytes = serialize_model(m);
  const std::filesystem::path directory =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (!file.has_filename()) io_failure(file, "cannot save a model to a directory path", EISDIR);

  // A unique temporary name in the same directory (rename is atomic only within a file system).
  // O_EXCL makes a clash an error, never a shared file; the counter separates threads.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict on "." + std::string.
    std::string name = ".";
    name += file.filename().string();
    name += ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter.fetch_add(1));
    temporary = directory / name;
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) io_failure(file, "cannot create " + temporary.string(), errno);
  }
  if (fd < 0) io_failure(file, "cannot create a temporary file in " + directory.string(), EEXIST);

  descriptor out(fd);
  const auto fail_and_clean = [&](const std::string& what, int error) {
    if (out.get() >= 0) out.close_checked();
    ::unlink(temporary.c_str());
    io_failure(file, what, error);
  };
  if (!write_all(out.get(), bytes)) fail_and_clean("cannot write " + temporary.string(), errno);
  // The data must be on disk before the rename makes it visible under the real name.
  if (::fsync(out.get()) != 0) fail_and_clean("cannot sync " + temporary.string(), errno);
  if (out.close_checked() != 0) fail_and_clean("cannot close " + temporary.string(), errno);
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    fail_and_clean("cannot rename " + temporary.string() + " to " + file.string(), errno);
  }
  // The rename itself lives in the directory: sync it so the new name survives a crash. Some
  // file systems cannot sync a directory (EINVAL); the rename has happened, so that is not an
  // error worth losing a saved model over.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) io_failure(file, "saved, but cannot open the directory to sync it", errno);
  descriptor dir(dir_fd);
  if (::fsync(dir.get()) != 0 && errno != EINVAL) {
    io_failure(file, "saved, but cannot sync the directory", errno);
  }
}

model load_model(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_failure(file, "cannot open", errno);
  descriptor in(fd);
  struct stat info {};
  if (::fstat(in.get(), &info) != 0) io_failure(file, "cannot stat", errno);
  if (S_ISDIR(info.st_mode)) io_failure(file, "cannot read", EISDIR);
  // A regular file's size is known: refuse a huge one before allocating for it. Pipes and other
  // streams are read up to the same bound.
  if (S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) > max_model_file_bytes) {
    throw model_error(model_error_code::file_too_large, file.string(), std::nullopt,
                      "the file has " + std::to_string(info.st_size) +
                          " bytes, more than any model (" +
                          std::to_string(max_model_file_bytes) + ")");
  }
  std::vector<std::byte> bytes;
  if (S_ISREG(info.st_mode)) bytes.reserve(static_cast<std::size_t>(info.st_size));
  std::array<std::byte, 65536> chunk;
  for (;;) {
    const ssize_t got = ::read(in.get(), chunk.data(), chunk.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      io_failure(file, "cannot read", errno);
    }
    if (got == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
    if (bytes.size() > max_model_file_bytes) {
      throw model_error(model_error_code::file_too_large, file.string(), std::nullopt,
                        "more than " + std::to_string(max_model_file_bytes) +
                            " bytes, more than any model");
    }
  }
  return parse_model(bytes, file.string());
}

}  // namespace simdnn
