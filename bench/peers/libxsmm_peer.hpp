// bench/peers/libxsmm_peer.hpp — libxsmm's best single-thread route for one row-major product,
// set up once per benchmark, outside the timing loop (as a user who keeps the kernel would).
//
// libxsmm is column-major: row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, so
// the call swaps A with B and m with n, and each operand keeps its own transpose flag.
//
// Routes, as libxsmm itself chooses them:
//  - jit-kernel: m n k <= LIBXSMM_MAX_MNK (64^3 in Debian's build), the size below which
//    libxsmm_sgemm calls one JIT kernel for the whole product. Dispatched once; 6 ns for 1x4x10
//    in the table comes from this route.
//  - tiled: larger products, or a form the JIT has no kernel for: libxsmm's sequential tiled GEMM
//    (what libxsmm_xgemm runs), its handle and scratch set up once instead of per call.
//  - none: neither exists (libxsmm_sgemm would hand the call to the BLAS linked in, i.e.
//    OpenBLAS, so timing it would measure OpenBLAS under libxsmm's name).
#pragma once

#include <libxsmm.h>

#include <cstddef>

#include "peers/operands.hpp"

namespace simdnn::bench::peers {

class libxsmm_gemm {
 public:
  libxsmm_gemm(const gemm_case& g, const operands& x)
      : m_(blasint(g.n)),
        n_(blasint(g.m)),
        k_(blasint(g.k)),
        lda_(blasint(x.ldb)),
        ldb_(blasint(x.lda)),
        ldc_(blasint(x.ldc)),
        trans_a_(g.trans_b ? 't' : 'n'),
        trans_b_(g.trans_a ? 't' : 'n'),
        scratch_(0) {
    const float alpha = 1.0f, beta = 0.0f;
    const double mnk = double(g.m) * double(g.n) * double(g.k);
    if (mnk <= double(LIBXSMM_MAX_MNK)) {
      const int flags = (g.trans_b ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) |
                        (g.trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0) | LIBXSMM_GEMM_FLAG_BETA_0;
      const int prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
      kernel_ =
          libxsmm_smmdispatch(m_, n_, k_, &lda_, &ldb_, &ldc_, &alpha, &beta, &flags, &prefetch);
      if (kernel_ != nullptr) return;
    }
    handle_ = libxsmm_gemm_handle_init(
        &blob_, LIBXSMM_GEMM_PRECISION_F32, LIBXSMM_GEMM_PRECISION_F32, &trans_a_, &trans_b_, &m_,
        &n_, &k_, &lda_, &ldb_, &ldc_, &alpha, &beta, LIBXSMM_GEMM_HANDLE_FLAG_AUTO, 1);
    if (handle_ != nullptr) {
      scratch_ = aligned_floats(libxsmm_gemm_handle_get_scratch_size(handle_) / sizeof(float) + 1);
    }
  }
  // The handle lives inside blob_: never copy or move.
  libxsmm_gemm(const libxsmm_gemm&) = delete;
  libxsmm_gemm& operator=(const libxsmm_gemm&) = delete;

  [[nodiscard]] bool available() const noexcept { return kernel_ != nullptr || handle_ != nullptr; }
  [[nodiscard]] const char* route() const noexcept {
    return kernel_ != nullptr ? "jit-kernel" : handle_ != nullptr ? "tiled" : "none";
  }

  // C := op(A) op(B) for the operands this was set up with (a, b, c may be other buffers of the
  // same shape and leading dimensions).
  void run(const float* a, const float* b, float* c) noexcept {
    if (kernel_ != nullptr) {
      kernel_(b, a, c);
    } else {
      libxsmm_gemm_thread(handle_, scratch_.data(), b, a, c, 0, 1);
    }
  }

 private:
  static libxsmm_blasint blasint(std::size_t value) noexcept {
    return static_cast<libxsmm_blasint>(value);
  }

  libxsmm_blasint m_, n_, k_, lda_, ldb_, ldc_;
  char trans_a_, trans_b_;
  libxsmm_smmfunction kernel_ = nullptr;
  libxsmm_gemm_blob blob_{};
  const libxsmm_gemm_handle* handle_ = nullptr;
  aligned_floats scratch_;
};

}  // namespace simdnn::bench::peers
