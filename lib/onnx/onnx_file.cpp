// lib/onnx/onnx_file.cpp — onnx_error, and ONNX files on disk: a bounded read (pipes too) and a
// save through a temporary file renamed over the target.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "io/posix_file.hpp"
#include "simdnn/onnx.hpp"

namespace simdnn {

namespace {

std::string describe(const std::string& file, const std::string& where, const std::string& reason) {
  return file + ": " + (where.empty() ? "" : where + ": ") + reason;
}

[[noreturn]] void io_failure(const std::filesystem::path& file, const std::string& what,
                             int error) {
  throw onnx_error(onnx_error_code::io_error, file.string(), "",
                   what + ": " + std::strerror(error));
}

// The model files' descriptor guard (lib/io/posix_file.hpp): closes on every way out of a scope.
using fd_guard = io::descriptor;

}  // namespace

const char* onnx_error_name(onnx_error_code code) noexcept {
  switch (code) {
    case onnx_error_code::io_error:
      return "io_error";
    case onnx_error_code::file_too_large:
      return "file_too_large";
    case onnx_error_code::malformed:
      return "malformed";
    case onnx_error_code::unsupported:
      return "unsupported";
    case onnx_error_code::bad_value:
      return "bad_value";
  }
  return "unknown";
}

onnx_error::onnx_error(onnx_error_code code, std::string file, std::string where,
                       std::string reason)
    : std::runtime_error(describe(file, where, reason)),
      code_(code),
      file_(std::move(file)),
      where_(std::move(where)),
      reason_(std::move(reason)) {}

model load_onnx(const std::filesystem::path& file) {
  fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) io_failure(file, "cannot open", errno);
  // Read in chunks up to one byte past the bound, so a pipe or a growing file cannot make us
  // hold more than max_onnx_file_bytes + 1.
  std::vector<std::byte> bytes;
  constexpr std::size_t chunk = std::size_t{1} << 20;
  for (;;) {
    const std::size_t have = bytes.size();
    if (have > max_onnx_file_bytes) {
      throw onnx_error(onnx_error_code::file_too_large, file.string(), "",
                       "more than " + std::to_string(max_onnx_file_bytes) + " bytes");
    }
    bytes.resize(have + chunk);
    const ::ssize_t got = ::read(fd.get(), bytes.data() + have, chunk);
    if (got < 0) {
      if (errno == EINTR) {
        bytes.resize(have);
        continue;
      }
      io_failure(file, "cannot read", errno);
    }
    bytes.resize(have + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  return parse_onnx(bytes, file.string());
}

void save_onnx(const std::filesystem::path& target, const model& m) {
  // Only a regular file is ever replaced (never /dev/null, a FIFO or a directory); a symbolic
  // link is followed, so the link stays a link.
  std::error_code error_code;
  const std::filesystem::path file = std::filesystem::is_symlink(target, error_code)
                                         ? std::filesystem::weakly_canonical(target, error_code)
                                         : target;
  const auto status = std::filesystem::status(file, error_code);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw onnx_error(onnx_error_code::io_error, target.string(), "",
                     "is not a regular file: refusing to replace it");
  }
  const std::vector<std::byte> bytes = serialize_onnx(m);
  std::filesystem::path temporary = file;
  temporary += ".tmp-" + std::to_string(::getpid());
  {
    fd_guard fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (fd.get() < 0) io_failure(file, "cannot create " + temporary.string(), errno);
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ::ssize_t wrote = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        io_failure(file, "cannot write", error);
      }
      done += static_cast<std::size_t>(wrote);
    }
    if (::fsync(fd.get()) != 0 || fd.close_checked() != 0) {
      const int error = errno;
      ::unlink(temporary.c_str());
      io_failure(file, "cannot write", error);
    }
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    io_failure(file, "cannot rename the temporary file over it", error);
  }
}

}  // namespace simdnn
