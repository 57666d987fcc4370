// lib/io/posix_file.hpp — the POSIX file plumbing that load_model and save_model share.
//
// Internal header. Both go through descriptors rather than iostreams so that every failure keeps
// its errno (reported as the system's reason) and save can fsync before it renames. `descriptor`
// closes on every way out of a scope; `io_failure` is the one place an errno becomes a model_error.
#pragma once

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "simdnn/model.hpp"

namespace simdnn::io {

[[noreturn]] inline void io_failure(const std::filesystem::path& file, const std::string& what,
                                    int error) {
  throw model_error(model_error_code::io_error, file.string(), std::nullopt,
                    what + ": " + std::strerror(error));
}

// Closes a descriptor on every path out of a scope, unless close_checked has closed it already.
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

}  // namespace simdnn::io
