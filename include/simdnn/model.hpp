// simdnn/model.hpp — trained networks as files: a documented binary format, atomic saving and a
// loader that trusts nothing it has not checked.
//
// A `model` is a validated snapshot of a network's parameters: layer widths, one activation per
// layer, the bias switch, weights and biases, optional input standardization statistics and
// optional class names. Save it, load it, rebuild a trainable network from it
// (model::make_network) or build an inference object (simdnn/predictor.hpp).
//
// ---- File format, version 2 ---------------------------------------------------------------
// Version 2 records each layer's activation by a fixed code with its parameter (leaky_relu's
// slope); version 1 files (sigmoid and identity only) still load, bit for bit. Little-endian,
// IEEE-754 binary32 reals, sections on multiples of 4 bytes, a CRC-32C last; the byte layout is
// specified once, in docs/model-format.md of the source distribution (the reader and the writer
// share its constants in lib/io/model_format.hpp). Parameters (weights and biases) total at most
// 2^28; every weight and bias is finite.
//
// ---- Loading ------------------------------------------------------------------------------
// Checks in this order, each failure a model_error with its own code, the file's name and the
// byte offset of the field at fault: the file is at most max_model_file_bytes (checked before it
// is read into memory); magic; version; byte-order mark; the declared size against the file's
// (truncated / trailing bytes); the checksum; then the header's contents: flags, layer count,
// the layer records fitting in the file, and for each layer in turn: its widths (zero, above the
// bound, chaining), its activation code (one the file's version defines: 1 and 2 in version 1),
// its activation parameter (NaN, infinite or negative slope for leaky_relu; nonzero for an
// activation without one), an output-only activation (softmax) on a layer other than the last
// (these three are bad_activation), the parameter count so far (computed without overflow);
// then the class count, the sections adding up to the declared size,
// standardization statistics, weights and biases (non-finite values), class names, padding.
// Nothing is allocated from a size before that size has been checked against the bounds and
// the file's length. A newer file gets "written by a newer simdnn (format N, this build reads
// up to M)".
//
// ---- Saving -------------------------------------------------------------------------------
// save_model always writes the current format (version 2). It writes a temporary file in the
// target's directory, fsyncs it, renames it over the target and fsyncs the directory: a crash or
// a full disk leaves either the old file or the new one, never a mix. On failure the temporary
// file is removed, the old file is untouched, and a model_error (io_error) says why (the system's
// reason). The new file's permissions are 0666 & ~umask. Saving then loading gives back every
// value bit for bit.
// The target: a symbolic link is followed to the end of its chain (a relative link is relative
// to its own directory); the temporary file goes in that final target's directory and replaces
// it, so the link stays a link (a dangling link's final path is where the file is created).
// Only a regular file is ever replaced: if the path (or the link's final target) exists and is
// anything else (a directory, a character or block device such as /dev/null, a FIFO, a socket),
// save_model throws model_error (io_error) naming it and what it is ("is a character device, not
// a regular file: refusing to replace it") before creating anything. The check and the rename
// are not one atomic step: a node put in the target's place in between is replaced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "simdnn/network.hpp"

namespace simdnn {

inline constexpr std::uint32_t model_format_version = 2;

// Bounds a loaded (or saved) model must respect; a file beyond them is rejected, not trusted.
inline constexpr std::size_t max_model_layers = 1024;
inline constexpr std::size_t max_model_width = std::size_t{1} << 24;
inline constexpr std::size_t max_model_parameters = std::size_t{1} << 28;
inline constexpr std::size_t max_class_name_bytes = 4096;
inline constexpr std::size_t max_model_file_bytes = std::size_t{1} << 31;

enum class model_error_code : unsigned char {
  io_error,               // cannot open, read, write, sync or rename (the system's reason), or
                          // a save target that is not a regular file
  file_too_large,         // above max_model_file_bytes
  truncated,              // shorter than its header, or than the size it declares
  bad_magic,              // not a simdnn model file
  unsupported_version,    // written by a newer simdnn (or version 0)
  bad_byte_order,         // big-endian or garbled byte-order mark
  trailing_bytes,         // longer than the size it declares
  checksum_mismatch,      // the CRC-32C does not match: the file is damaged
  unknown_flags,          // flag bits this version does not define
  no_layers,              // layer count 0
  too_many_layers,        // above max_model_layers
  zero_width,             // a layer with 0 inputs or outputs
  width_too_large,        // a width above max_model_width
  layers_do_not_chain,    // a layer's inputs differ from the previous layer's outputs
  bad_activation,         // a code the file's version does not define, a bad parameter, or an
                          // output-only activation (softmax) before the last layer
  too_many_parameters,    // above max_model_parameters (sums computed without overflow)
  payload_size_mismatch,  // the sections the header describes do not fill the declared size
  bad_class_names,        // wrong count, empty, too long, NUL byte or duplicate
  bad_standardization,    // a standard deviation that is not positive
  non_finite_value,       // NaN or infinity in weights, biases or statistics
  bad_padding,            // nonzero padding bytes
};

// A short name for `code`, e.g. "checksum_mismatch". Never null.
[[nodiscard]] const char* model_error_name(model_error_code code) noexcept;

// What went wrong with a model file. what() reads "<file>: byte <offset>: <reason>", or
// "<file>: <reason>" when no offset applies (has_offset() false: I/O errors, a file too large).
class model_error : public std::runtime_error {
 public:
  model_error(model_error_code code, std::string file, std::optional<std::uint64_t> offset,
              std::string reason);

  [[nodiscard]] model_error_code code() const noexcept { return code_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] bool has_offset() const noexcept { return offset_.has_value(); }
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_.value_or(0); }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  model_error_code code_;
  std::string file_;
  std::optional<std::uint64_t> offset_;
  std::string reason_;
};

// Everything a model holds, as plain values: build one to import weights trained elsewhere.
struct model_parameters {
  std::vector<std::size_t> widths;      // input, hidden..., output: at least 2, each >= 1
  std::vector<activation> activations;  // one per layer (widths.size() - 1)
  // One per layer, or empty for each activation's default (see simdnn/activation.hpp): only
  // leaky_relu takes one (its slope, finite and >= 0); the others' must be 0.
  std::vector<float> activation_parameters;
  bool bias = true;
  std::vector<std::vector<float>> weights;  // per layer, widths[l] x widths[l+1], row-major
  std::vector<std::vector<float>> biases;   // per layer widths[l+1] values; all empty if !bias
  std::vector<float> input_mean;            // both empty (no standardization) or widths[0] each
  std::vector<float> input_stddev;
  std::vector<std::string> class_names;  // empty, or one per output
};

// Where a loaded model came from (absent for a model built in memory).
struct model_file_info {
  std::uint32_t format_version = 0;
  std::uint64_t file_bytes = 0;
  std::uint32_t checksum = 0;  // the CRC-32C stored in (and verified against) the file
};

class model {
 public:
  // Checks every invariant the file format has (the bounds above, finite values, stddev > 0,
  // class names non-empty, unique, without NUL, at most max_class_name_bytes, one per output);
  // throws std::invalid_argument naming the first violation.
  explicit model(model_parameters parameters);
  // A snapshot of `net`'s parameters and input standardization, with optional class names (one
  // per output). Throws std::invalid_argument if the class names are invalid or the network is
  // empty (moved from).
  explicit model(const network& net, std::vector<std::string> class_names = {});

  [[nodiscard]] const model_parameters& parameters() const noexcept { return parameters_; }
  [[nodiscard]] std::size_t layer_count() const noexcept;
  [[nodiscard]] std::span<const std::size_t> widths() const noexcept;
  [[nodiscard]] std::size_t input_width() const noexcept;
  [[nodiscard]] std::size_t output_width() const noexcept;
  [[nodiscard]] bool has_bias() const noexcept { return parameters_.bias; }
  [[nodiscard]] activation layer_activation(std::size_t layer) const noexcept;
  [[nodiscard]] float layer_activation_parameter(std::size_t layer) const noexcept;
  [[nodiscard]] std::span<const float> weights(std::size_t layer) const noexcept;
  [[nodiscard]] std::span<const float> biases(std::size_t layer) const noexcept;
  [[nodiscard]] bool has_input_standardization() const noexcept;
  [[nodiscard]] std::span<const float> input_mean() const noexcept;
  [[nodiscard]] std::span<const float> input_stddev() const noexcept;
  [[nodiscard]] std::span<const std::string> class_names() const noexcept;
  [[nodiscard]] std::size_t parameter_count() const noexcept;
  [[nodiscard]] const std::optional<model_file_info>& file_info() const noexcept {
    return file_info_;
  }

  // A trainable network holding these parameters and standardization. `options` supplies
  // max_batch, seed, init, loss, reduction and optimizer; its activations, their parameters and
  // bias are replaced by the model's.
  [[nodiscard]] network make_network(network_options options = {}) const;

 private:
  friend model parse_model(std::span<const std::byte>, std::string_view);
  struct trusted {};
  model(model_parameters parameters, trusted) noexcept;

  model_parameters parameters_;
  std::optional<model_file_info> file_info_;
};

// The file's bytes (format above).
[[nodiscard]] std::vector<std::byte> serialize_model(const model& m);
// Parses and validates a whole file held in memory; `source` names it in errors.
[[nodiscard]] model parse_model(std::span<const std::byte> bytes,
                                std::string_view source = "<memory>");

// Atomic save (see above). Throws model_error (io_error) on any system failure.
void save_model(const std::filesystem::path& file, const model& m);
// Reads and validates `file`; throws model_error.
[[nodiscard]] model load_model(const std::filesystem::path& file);

// CRC-32C of `bytes`, continuing from `crc` (the CRC of the bytes before; 0 to start).
[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> bytes,
                                   std::uint32_t crc = 0) noexcept;

}  // namespace simdnn
