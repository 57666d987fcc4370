// lib/nn/work_split.hpp — how one pass of a network is shared among threads
// (network_options::threads): the shares of each GEMM's result and of the elementwise stages.
// Used by network_run.cpp (the passes) and optimizers.cpp (the update's ranges).
#pragma once

#include <algorithm>
#include <cstddef>

#include "common/work_team.hpp"
#include "kernels/table.hpp"

namespace simdnn::nn {

// A pass runs as `parts` copies of the same code (SPMD), one per thread, each taking its share
// of every stage, with a barrier wherever a stage reads what another part wrote. With one part
// the shares are everything and the barriers nothing: the single-threaded pass is the same code.
// Bitwise identity with one thread holds by construction: a GEMM is split by rows or columns of
// its result (each element computed by the same sequence of operations: lib/kernels/gemm/
// dispatch.hpp, "Order of operations", whatever the path or split, and no part is a single row
// or column, whose paths differ), elementwise kernels by rows (their result never depends on a
// value's position: lib/kernels/sigmoid.hpp), the bias gradients' column sums by columns (each
// column's sum in its own fixed order), the optimizers by ranges; the loss's one sum runs on
// part 0 alone.

// Which share of a pass this thread runs, and the barrier between stages.
struct crew {
  detail::work_team* team = nullptr;  // null: one part, no barrier
  std::size_t part = 0;
  std::size_t parts = 1;

  void sync() const noexcept {
    if (team != nullptr) team->sync();
  }
};

struct index_range {
  std::size_t first = 0, last = 0;
  [[nodiscard]] std::size_t size() const noexcept { return last - first; }
};

// This part's share of n items dealt in whole steps (the last step may be partial): balanced,
// contiguous, in part order; a part gets nothing when there are fewer steps than parts.
inline index_range share_of(std::size_t n, std::size_t step, const crew& c) noexcept {
  if (c.parts == 1) return {0, n};
  const std::size_t steps = (n + step - 1) / step;
  return {std::min(n, steps * c.part / c.parts * step),
          std::min(n, steps * (c.part + 1) / c.parts * step)};
}

// How a GEMM's result is dealt among the parts. Rows first: a part then owns whole rows, so the
// activation (or its derivative) that follows runs on them without a barrier (measured on the
// 784-256-128-10 step, 2 threads: faster than columns first, and than picking the better balanced
// of the two per GEMM). Rows only when
// every part gets at least two MR-row tiles and columns only when every part gets a whole NR
// panel, so no part is a single row or column (and none is a sliver of edge work).
enum class gemm_split : unsigned char { rows, columns };

inline gemm_split choose_split(std::size_t m, std::size_t n, const kernels::gemm_blocking& blocking,
                               std::size_t parts) noexcept {
  if (parts > 1 && m < 2 * parts * blocking.mr && n >= parts * blocking.nr) {
    return gemm_split::columns;
  }
  return gemm_split::rows;
}

// The rows (or, split by columns, the columns) of an m x n GEMM result this part computes.
// Rows too few to split go to part 0 whole.
inline index_range gemm_share(gemm_split split, std::size_t m, std::size_t n,
                              const kernels::gemm_blocking& blocking, const crew& c) noexcept {
  if (split == gemm_split::columns) return share_of(n, blocking.nr, c);
  if (m >= 2 * c.parts * blocking.mr) return share_of(m, blocking.mr, c);
  return c.part == 0 ? index_range{0, m} : index_range{};
}

// C := alpha op(A) op(B) + beta C restricted to `share` (rows or columns of C, per `split`):
// the same product on offset operands, so each element is computed exactly as unsplit.
inline void sgemm_share(const kernels::kernel_table& k, gemm_split split, index_range share,
                        bool ta, bool tb, std::size_t m, std::size_t n, std::size_t depth,
                        const float* a, std::size_t lda, const float* b, std::size_t ldb,
                        float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  if (share.size() == 0) return;
  if (split == gemm_split::rows) {
    // Row i of op(A) is row i of A, or column i of A stored transposed.
    k.sgemm(ta, tb, share.size(), n, depth, 1.0f, ta ? a + share.first : a + share.first * lda, lda,
            b, ldb, beta, c + share.first * ldc, ldc, workspace);
    return;
  }
  // Column j of op(B) is column j of B, or row j of B stored transposed.
  k.sgemm(ta, tb, m, share.size(), depth, 1.0f, a, lda,
          tb ? b + share.first * ldb : b + share.first, ldb, beta, c + share.first, ldc, workspace);
}

// Rows of a batch for an elementwise stage after a barrier: balanced, whole MR tiles.
inline index_range row_share(std::size_t batch, const kernels::kernel_table& k,
                             const crew& c) noexcept {
  return share_of(batch, k.blocking.mr, c);
}

}  // namespace simdnn::nn
