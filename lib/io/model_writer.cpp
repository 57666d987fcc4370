// lib/io/model_writer.cpp — serialize_model and save_model: a model's bytes, and the atomic save.
//
// Serialization has nothing to check (a model already satisfies every rule of the format), so
// the checking lives in the reader. Saving writes a temporary file beside the target, syncs it and
// renames it over the target, so a crash or a full disk leaves the old file or the new one, never
// a mix. The target is the end of a symbolic link's chain (the link stays a link), and anything
// but a regular file there (a device, a FIFO, a directory) is refused before anything is created.
// Byte order is explicit (shifts, never memcpy of integers); floats go through bit_cast.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <string>
#include <utility>

#include "io/model_format.hpp"
#include "io/posix_file.hpp"
#include "simdnn/model.hpp"

namespace simdnn {

using namespace io;

// ------------------------------------------------------------------------------------------------
// Serializing
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

std::uint32_t u32_of(std::size_t v) {
  return static_cast<std::uint32_t>(v);
}

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
  // Always the current format: version 2's records carry each activation's parameter.
  static_assert(model_format_version == 2 && layer_record_bytes == 16);
  for (std::size_t l = 0; l < layers; ++l) {
    out.u32(u32_of(p.widths[l]));
    out.u32(u32_of(p.widths[l + 1]));
    out.u32(activation_code(p.activations[l]));
    out.f32(p.activation_parameters[l]);
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
// Saving
// ------------------------------------------------------------------------------------------------
namespace {

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

// What a file type is, for "is a character device, not a regular file".
const char* file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// As many links as Linux follows in one lookup (MAXSYMLINKS) before it reports ELOOP.
constexpr int max_symbolic_links = 40;

// The text of the symbolic link `link` (`size_hint` its lstat size, which a link changed since
// may have outgrown: a result that fills the buffer is read again with a larger one).
std::filesystem::path read_link(const std::filesystem::path& file,
                                const std::filesystem::path& link, std::size_t size_hint) {
  for (std::size_t size = size_hint + 1;; size *= 2) {
    std::string text(size, '\0');
    const ssize_t length = ::readlink(link.c_str(), text.data(), text.size());
    if (length < 0) io_failure(file, "cannot read the symbolic link " + link.string(), errno);
    if (static_cast<std::size_t>(length) < size) {
      text.resize(static_cast<std::size_t>(length));
      return text;
    }
  }
}

// The path a save of `file` replaces: `file` itself, or, for a symbolic link, the end of its chain
// (each relative link resolved against its own directory), so the link stays a link and its
// target gets the new model. A path that does not exist (a new file, or a dangling link's end) is
// where the file is created. Throws, before anything is created, if the path exists and is not a
// regular file: renaming over a device, a FIFO or a socket would replace the node with a file.
std::filesystem::path replaced_path(const std::filesystem::path& file) {
  std::filesystem::path path = file;
  for (int hops = 0;; ++hops) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) return path;  // created there (a missing directory fails at creation)
      io_failure(file, "cannot stat " + path.string(), errno);
    }
    if (S_ISREG(info.st_mode)) return path;
    if (!S_ISLNK(info.st_mode)) {
      const std::string what =
          path == file ? std::string() : "the symbolic link's target " + path.string() + " ";
      throw model_error(
          model_error_code::io_error, file.string(), std::nullopt,
          what + "is " + file_kind(info.st_mode) + ", not a regular file: refusing to replace it");
    }
    if (hops == max_symbolic_links) io_failure(file, "cannot follow " + file.string(), ELOOP);
    // An absolute target replaces the path; a relative one is relative to the link's directory.
    path = path.parent_path() / read_link(file, path, static_cast<std::size_t>(info.st_size));
  }
}

}  // namespace

void save_model(const std::filesystem::path& file, const model& m) {
  if (!file.has_filename()) io_failure(file, "cannot save a model to a directory path", EISDIR);
  const std::vector<std::byte> bytes = serialize_model(m);
  // For a symbolic link, the temporary file goes beside the link's target and is renamed over it.
  const std::filesystem::path target = replaced_path(file);
  if (!target.has_filename()) {
    io_failure(file, "cannot save a model to the directory path " + target.string(), EISDIR);
  }
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");

  // A unique temporary name in the same directory (rename is atomic only within a file system).
  // O_EXCL makes a clash an error, never a shared file; the counter separates threads.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict on "." + std::string.
    std::string name = ".";
    name += target.filename().string();
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
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    fail_and_clean("cannot rename " + temporary.string() + " to " + target.string(), errno);
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

}  // namespace simdnn
