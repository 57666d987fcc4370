// lib/io/model_reader.cpp — parse_model and load_model: a model file checked, then built.
//
// A file is untrusted input (tests/fuzz feeds it garbage), so the parser checks everything, in the
// order simdnn/model.hpp documents, before it builds the model, and allocates from no size it has
// not checked; a failure names the byte at fault where one applies. Byte order is explicit
// (shifts, never memcpy of integers), so the same files would read the same on a big-endian
// machine; floats travel through std::bit_cast.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "io/model_format.hpp"
#include "io/posix_file.hpp"
#include "simdnn/model.hpp"

namespace simdnn {

using namespace io;

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
  std::uint32_t version = 0;
  std::size_t layers = 0;
  std::uint32_t flags = 0;
  std::size_t class_count = 0;
  std::size_t name_bytes = 0;
  std::vector<std::size_t> widths;  // allocated only once the layer count is within bounds
  std::vector<activation> activations;
  std::vector<float> activation_parameters;
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

// The activation codes a file of format `version` may use, for an error message:
// "1 sigmoid, 2 identity, ...".
std::string defined_codes(std::uint32_t version) {
  std::string text;
  for (std::uint32_t code = 1;; ++code) {
    const nn::activation_descriptor* d = nn::describe_file_code(code);
    if (d == nullptr || (version == 1 && code > file_identity)) break;
    if (!text.empty()) text += ", ";
    text += std::to_string(code) + " " + d->name;
  }
  return text;
}

std::string float_text(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(v));
  return text;
}

// A layer record's activation: the code defined by the file's version, its parameter valid for
// it (version 1 has none: 0), an output-only activation (softmax) only on the last layer.
std::pair<activation, float> check_activation(const parser& in, const layout& f, std::size_t l,
                                              std::size_t at) {
  const std::string layer = "layer " + std::to_string(l);
  const std::uint32_t code = in.u32(at + record_activation);
  const nn::activation_descriptor* d = nn::describe_file_code(code);
  if (d == nullptr || (f.version == 1 && code != file_sigmoid && code != file_identity)) {
    in.fail(model_error_code::bad_activation, at + record_activation,
            layer + ": activation " + std::to_string(code) + " is not defined (format " +
                std::to_string(f.version) + ": " + defined_codes(f.version) + ")");
  }
  const float parameter = f.version == 1 ? 0.0f : in.f32(at + record_parameter);
  if (const std::string_view problem = activation_parameter_problem(d->kind, parameter);
      !problem.empty()) {
    in.fail(model_error_code::bad_activation, at + record_parameter,
            layer + ": " + d->name + " parameter " + float_text(parameter) + ": " +
                std::string(problem));
  }
  if (d->output_only && l + 1 != f.layers) {
    in.fail(model_error_code::bad_activation, at + record_activation,
            layer + ": " + d->name + " is for the output layer only (this model's is layer " +
                std::to_string(f.layers - 1) + ")");
  }
  return {d->kind, parameter};
}

layout check_header(const parser& in) {
  layout f;
  f.version = in.u32(offset_version);  // 1 or 2: check_envelope has checked it
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
  const std::size_t record_bytes = layer_record_size(f.version);
  const std::size_t records_end = header_bytes + record_bytes * f.layers;
  f.checksum_offset = in.size() - checksum_bytes;
  if (records_end > f.checksum_offset) {
    in.fail(model_error_code::payload_size_mismatch, header_bytes,
            std::to_string(f.layers) + " layer records do not fit in the file");
  }
  const bool bias = (f.flags & flag_bias) != 0;
  f.widths.reserve(f.layers + 1);
  f.activations.reserve(f.layers);
  f.activation_parameters.reserve(f.layers);
  std::uint64_t parameters = 0;
  for (std::size_t l = 0; l < f.layers; ++l) {
    const std::size_t at = header_bytes + record_bytes * l;
    const std::string layer = "layer " + std::to_string(l);
    const std::uint32_t inputs = in.u32(at + record_inputs);
    const std::uint32_t outputs = in.u32(at + record_outputs);
    for (const auto& [width, where, name] : {std::tuple{inputs, at + record_inputs, "inputs"},
                                             std::tuple{outputs, at + record_outputs, "outputs"}}) {
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
    const auto [kind, parameter] = check_activation(in, f, l, at);
    if (l == 0) f.widths.push_back(inputs);
    f.widths.push_back(outputs);
    f.activations.push_back(kind);
    f.activation_parameters.push_back(parameter);
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
  p.activation_parameters = f.activation_parameters;  // version 1: all 0
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
  result.file_info_ =
      model_file_info{in.u32(offset_version), bytes.size(), in.u32(f.checksum_offset)};
  return result;
}

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------
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
                          " bytes, more than any model (" + std::to_string(max_model_file_bytes) +
                          ")");
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
      throw model_error(
          model_error_code::file_too_large, file.string(), std::nullopt,
          "more than " + std::to_string(max_model_file_bytes) + " bytes, more than any model");
    }
  }
  return parse_model(bytes, file.string());
}

}  // namespace simdnn
