// simdnn/sgemm.hpp — single-precision general matrix multiply, row-major, BLAS semantics.
//
//   C := alpha * op(A) * op(B) + beta * C
//
// op(A) is m x k, op(B) is k x n, C is m x n; all row-major: element (i, j) of a matrix with
// leading dimension ld is at p[i * ld + j]. op(X) = X or X^T. With op == transpose, A is stored
// k x m (lda >= m) and B is stored n x k (ldb >= k).
//
// Semantics, exactly as the reference BLAS:
//  - m == 0 or n == 0: nothing is read or written.
//  - k == 0 or alpha == 0: C := beta * C; A and B are never read (they may be null).
//  - beta == 0: C is overwritten and never read, so NaN or Inf already in C cannot leak out.
//  - Elements of C outside the m x n window (the padding between n and ldc) are never touched.
// Aliasing: C must not overlap A or B. A and B are never written.
// Accuracy: each c(i,j) is accumulated in float with fused multiply-adds (plain multiply and add on
//   SSE2); |c - exact| <= (k + 2) * FLT_EPSILON * (|alpha| * sum_p |a(i,p) b(p,j)| + |beta c0|).
// Errors: a leading dimension below its row length, a null pointer with a nonzero extent, or
//   sizes whose element offsets overflow size_t throw std::invalid_argument naming the argument,
//   before anything is read or written (C is untouched).
#pragma once

#include <cstddef>
#include <span>

namespace simdnn {

enum class op : unsigned char { none, transpose };

// Convenience form: packing memory comes from a per-thread buffer that grows to the largest
// problem seen on that thread and is then reused; no allocation per call once it has grown.
void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc);

// Bytes of workspace the form below needs for an m x n x k product on the active ISA.
[[nodiscard]] std::size_t sgemm_workspace_size(std::size_t m, std::size_t n,
                                               std::size_t k) noexcept;

// Caller-provided workspace: never allocates. Throws std::invalid_argument if the workspace is
// smaller than sgemm_workspace_size(m, n, k) (any alignment is accepted).
void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc, std::span<std::byte> workspace);

// Opt-in parallelism. sgemm is single-threaded by default, so latency-sensitive callers pay for
// no thread. set_sgemm_threads(t) starts t - 1 worker threads once (each with its own packing
// workspace, allocated here, never per call); from then on both sgemm forms split large
// products (m * n * k >= 2^22) by columns of C across the caller and the workers, with results
// bitwise identical to one thread. set_sgemm_threads(1) stops the workers. Not to be called
// while another thread is inside sgemm; sgemm itself may be called from one thread at a time
// while workers are running (calls from several threads at once then serialize on the pool).
// Throws std::invalid_argument for 0 or more than 64 threads, std::system_error if a thread
// cannot be started.
void set_sgemm_threads(std::size_t threads);
[[nodiscard]] std::size_t sgemm_threads() noexcept;

}  // namespace simdnn
