// lib/kernels/gemm/dispatch.hpp — the kernel table's sgemm: one plan (lib/kernels/gemm/path.hpp),
// then the loops that execute it.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// Order of operations (the cross-ISA reproducibility contract, README "Reproducibility"): each
// element of C is computed the same way on every FMA ISA, whatever the tile shape, the path or
// the thread split: k in blocks of KC = kReproducibleKc from p = 0; per block one chain
// acc = fma(op(A)(i, p), op(B)(p, j), acc) from acc = +0 in increasing p; t = acc * alpha; the
// first block stores t (beta == 0) or fma(beta, C, t), later blocks C + t. Two exceptions, each
// chosen by ISA-independent rules (lib/kernels/gemm/path.hpp) and the same on every FMA ISA:
//  - a single row of C times B^T with op(A) = A or k <= kSingleRowMaxGather (sgemm_single_row):
//    16 lane sums (lane l takes p = l, l + 16, ...) folded as (l, l + 8), +4, +2, +1;
//  - the small path's one-row loop (a single row of C times B, or a contiguous single column of
//    C = A^T b): per KC block two chains from +0, even p and odd p, summed even + odd (one row
//    has too few accumulators for one chain to cover the FMA latency).
// Every fma is
// fused_multiply_add (lib/kernels/fma.hpp), one rounding. Not promised: which NaN's payload
// comes out when two different NaNs meet in one operation (x86 keeps the first operand's, and
// the compiler orders commutative operands per ISA); the result is NaN on every ISA.
//
// Contract (see simdnn/sgemm.hpp): beta == 0 never reads C; k == 0 or alpha == 0 reads neither A
// nor B; nothing outside the m x n window of C is written. Never allocates: the caller's
// workspace holds sgemm_workspace_floats(...) floats (lib/kernels/table.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/gemm/blocked.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/gemm/single_row.hpp"
#include "kernels/gemm/small.hpp"

namespace simdnn::kernels::gemm {

// The kernel table's sgemm (same arguments and contract as sgemm_blocked): the path chosen by
// choose_path, then its loops. Tiny products reach their loops without passing through
// sgemm_blocked's prologue (it saves and aligns a large frame): a one-sample call costs a few
// dozen cycles.
template <class Arch, class Shape>
void sgemm_dispatch(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                    float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                    float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  switch (choose_path(trans_a, trans_b, m, n, k, alpha == 0.0f)) {
    case path::nothing:
      return;
    case path::scale_c:
      sgemm_scale_c<Arch>(m, n, beta, c, ldc);
      return;
    case path::small:
      if (!trans_b && n > 1) {
        // The common case straight to its loops.
        if (trans_a) {
          sgemm_small_columns<Arch, Shape, true>(m, n, k, alpha, a, lda, b, ldb, n, beta, c, ldc);
        } else {
          sgemm_small_columns<Arch, Shape, false>(m, n, k, alpha, a, lda, b, ldb, n, beta, c, ldc);
        }
        return;
      }
      sgemm_small<Arch, Shape>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                               workspace);
      return;
    case path::single_row:
      // op(A)(0, p) is a[p] or, transposed, a[p * lda] (gathered into the workspace).
      sgemm_single_row<Arch>(n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c, workspace);
      return;
    case path::blocked:
      sgemm_blocked<Arch, Shape, a_packing::automatic>(trans_a, trans_b, m, n, k, alpha, a, lda, b,
                                                       ldb, beta, c, ldc, workspace);
      return;
  }
}

}  // namespace simdnn::kernels::gemm
