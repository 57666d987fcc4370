// lib/kernels/gemm/small.hpp — arch-generic SGEMM for tiny products, without packing.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// For products whose operands sit in L1 (a small network's layers and their backprop, one-sample
// inference) packing costs as much as the arithmetic. Here register tiles of C (MR rows x 1 or 2
// vectors, the blocked micro-kernel's register budget) stream op(B)'s rows straight from memory
// and broadcast op(A)'s elements from memory, A's strides folded into the addressing (op(A) = A
// or A^T: no copy). op(B) = B^T cannot be read by rows, so it alone is transposed into the
// workspace in KC x NC blocks (a few dozen floats for the shapes this path is chosen for).
// Degenerate shapes have their own loops: one row of C (m == 1: 4-vector panels), one column (n ==
// 1: scalar dots, or vectorized across C's rows when op(A) = A^T and ldc == 1), depth one (k == 1:
// an outer product, store-bound), and small depth with C at most two vectors wide (all of B held in
// registers, one row of C at a time).
//
// Chosen by sgemm_dispatch (lib/kernels/gemm/dispatch.hpp) when choose_path says so (tiny
// products and a single row of C times B, lib/kernels/gemm/path.hpp, which also picks the loop
// within); kernel_table::sgemm_small forces it at any shape (tests).
//
// Edges without a temporary: the last partial vector of a row of B is loaded whole while that
// stays before B's last element (every row but the last one or few: lanes past column n read the
// row's padding or the next row and are never stored) and with a partial load beyond; rows of C
// are never padded: a remainder runs through tiles of 8, 4, 2 and 1 rows; the last partial vector
// of a row of C is stored with store_partial.
//
// Order of operations: every loop here but the one-row loop computes each element of C exactly
// as the blocked kernel does (lib/kernels/gemm/dispatch.hpp): k in blocks of KC, one fma chain
// from +0 per block, times alpha, then beta. Which loop runs depends on the vector width, so this
// is what makes the result independent of the ISA (tests compare the paths bitwise). The one-row
// loop (m == 1), chosen by m alone on every ISA, takes two chains, even p and odd p.
//
// Contract (as sgemm_blocked): beta == 0 never reads C (it may hold NaN); k == 0 or alpha == 0
// reads neither A nor B; nothing outside the m x n window of C is written; no read before an
// operand's first element or past its last. C must not overlap A, B or the workspace. Never
// allocates: only op(B) = B^T uses the caller's workspace of sgemm_workspace_floats(...) floats
// (no alignment needed).
#pragma once

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/gemm/small_tiles.hpp"
#include "kernels/gemm/store.hpp"
#include "kernels/gemm/transpose.hpp"
#include "kernels/partial.hpp"

namespace simdnn::kernels::gemm {

// One KC block of sgemm_small_columns (k <= KC): C := alpha * op(A) * B + beta * C.
template <class Arch, class Shape, bool TransA>
[[gnu::always_inline]] inline void sgemm_small_columns_block(std::size_t m, std::size_t n,
                                                             std::size_t k, float alpha,
                                                             const float* a, std::size_t lda,
                                                             const float* b, std::size_t ldb,
                                                             std::size_t extent, float beta,
                                                             float* c, std::size_t ldc) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t MR = Shape::mr;
  switch (choose_small_loop(m, n, k, geometry{width, MR, Shape::nr})) {
    case small_loop::outer_product:
      sgemm_small_rank1<Arch>(m, n, alpha, a, TransA ? 1 : lda, b, beta, c, ldc);
      return;
    case small_loop::b_in_registers_1:
      sgemm_small_b_in_registers_depth<Arch, 1, TransA>(m, n, k, alpha, a, lda, b, ldb, beta, c,
                                                        ldc);
      return;
    case small_loop::b_in_registers_2:
      sgemm_small_b_in_registers_depth<Arch, 2, TransA>(m, n, k, alpha, a, lda, b, ldb, beta, c,
                                                        ldc);
      return;
    case small_loop::row_tiles:
    case small_loop::one_row:
      break;
  }
  const std::size_t panel_vectors = m == 1 ? 4 : 2;
  for (std::size_t j0 = 0; j0 < n; j0 += panel_vectors * width) {
    const std::size_t cols = n - j0 < panel_vectors * width ? n - j0 : panel_vectors * width;
    const std::size_t nv = (cols + width - 1) / width;
    const std::size_t tail = cols - (nv - 1) * width;
    // Row p's last vector [p ldb + last, + width) stays inside B while it ends by the end of
    // B's last row, (k - 1) ldb + extent.
    const std::size_t last = j0 + (nv - 1) * width;
    std::size_t safe = k;
    if (last + width > extent) {
      const std::size_t short_by = last + width - extent;
      // Usually one row (ldb >= width); a division only for very short rows.
      const std::size_t rows_out = short_by <= ldb ? 1 : (short_by + ldb - 1) / ldb;
      safe = k > rows_out ? k - rows_out : 0;
    }
    const small_b_panel bp{b + j0, ldb, tail, safe};
    float* c_panel = c + j0;
    if (m == 1) {
      // The tile inlined here: a one-sample call is a few dozen cycles, a call level counts.
      switch (nv) {
        case 4:
          sgemm_small_tile<Arch, 1, 4, TransA, 2>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        case 3:
          sgemm_small_tile<Arch, 1, 3, TransA, 2>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        case 2:
          sgemm_small_tile<Arch, 1, 2, TransA, 2>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        default:
          sgemm_small_tile<Arch, 1, 1, TransA, 2>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
      }
    } else if (nv == 2) {
      sgemm_small_rows<Arch, MR, 2, TransA>(m, k, a, lda, bp, c_panel, ldc, alpha, beta);
    } else {
      sgemm_small_rows<Arch, MR, 1, TransA>(m, k, a, lda, bp, c_panel, ldc, alpha, beta);
    }
  }
}

// C (m x n) := alpha * op(A) * B + beta * C with B (k x n) read in place by rows of stride ldb;
// B's last row may be read up to column `extent` (>= n; the row length that is valid memory).
// k in blocks of KC, as the blocked loops split it (only the first applies beta). Column panels
// of 2 vectors with R = MR rows (the blocked micro-kernel's budget: every ISA's NR is 2 vectors),
// a last panel of one vector with MR rows too (12 rows measured slower: the row addresses no
// longer fit in registers). A single row of C (m == 1) takes panels of 4 vectors. k == 1 is an
// outer product.
// Deeper than KC: the same loops block by block, out of line, so that sgemm_small_columns, on
// the path of every one-sample call, holds one copy of the tiles.
template <class Arch, class Shape, bool TransA>
[[gnu::noinline]] void sgemm_small_columns_deep(std::size_t m, std::size_t n, std::size_t k,
                                                float alpha, const float* a, std::size_t lda,
                                                const float* b, std::size_t ldb, std::size_t extent,
                                                float beta, float* c, std::size_t ldc) noexcept {
  const std::size_t a_cs = TransA ? lda : 1;
  for (std::size_t pc = 0; pc < k; pc += Shape::kc) {
    const std::size_t kc = k - pc < Shape::kc ? k - pc : Shape::kc;
    sgemm_small_columns_block<Arch, Shape, TransA>(m, n, kc, alpha, a + pc * a_cs, lda,
                                                   b + pc * ldb, ldb, extent, pc == 0 ? beta : 1.0f,
                                                   c, ldc);
  }
}

template <class Arch, class Shape, bool TransA>
void sgemm_small_columns(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                         std::size_t lda, const float* b, std::size_t ldb, std::size_t extent,
                         float beta, float* c, std::size_t ldc) noexcept {
  if (k > Shape::kc) [[unlikely]] {
    sgemm_small_columns_deep<Arch, Shape, TransA>(m, n, k, alpha, a, lda, b, ldb, extent, beta, c,
                                                  ldc);
    return;
  }
  sgemm_small_columns_block<Arch, Shape, TransA>(m, n, k, alpha, a, lda, b, ldb, extent, beta, c,
                                                 ldc);
}

// One column of C (n == 1), k <= KC: c_i = dot(op(A) row i, b), b's element p at b[p * b_stride],
// one scalar fma chain from +0 in the blocked order. Scalar, one row at a time (the rows' chains
// overlap out of order): a vector tile would waste all lanes but one; for op(A) = A^T with
// contiguous C (ldc == 1) sgemm_small vectorizes across rows instead. Measured faster than four
// rows interleaved, whose group-wise stores and loop exits serialize more. Keeps GCC's vectorizer
// off this deliberately scalar loop; clang has no such attribute (and warns about it), so the macro
// is empty there.
#if defined(__clang__)
#define SIMDNN_NO_AUTO_VECTORIZE
#else
#define SIMDNN_NO_AUTO_VECTORIZE [[gnu::optimize("no-tree-vectorize")]]
#endif
template <class Arch, bool TransA>
SIMDNN_NO_AUTO_VECTORIZE void sgemm_small_column(std::size_t m, std::size_t k, float alpha,
                                                 const float* a, std::size_t lda, const float* b,
                                                 std::size_t b_stride, float beta, float* c,
                                                 std::size_t ldc) noexcept {
  // Not auto-vectorized (the attribute): GCC turns the k loop into vector products summed lane by
  // lane in order (no -ffast-math), slower than the scalar chain.
  const std::size_t a_rs = TransA ? 1 : lda, a_cs = TransA ? lda : 1;
  // K > 0: a compile-time depth (a network's few inputs), fully unrolled with b in registers.
  auto rows = [&](auto depth) __attribute__((always_inline)) {
    constexpr std::size_t K = decltype(depth)::value;
    float bk[K > 0 ? K : 1];
    if constexpr (K > 0) {
#pragma GCC unroll 8
      for (std::size_t p = 0; p < K; ++p) bk[p] = b[p * b_stride];
    }
    for (std::size_t i = 0; i < m; ++i) {
      const float* ai = a + i * a_rs;
      float dot = 0.0f;
      if constexpr (K > 0) {
#pragma GCC unroll 8
        for (std::size_t p = 0; p < K; ++p)
          dot = fused_multiply_add<Arch>(ai[p * a_cs], bk[p], dot);
      } else {
        for (std::size_t p = 0; p < k; ++p) {
          dot = fused_multiply_add<Arch>(ai[p * a_cs], b[p * b_stride], dot);
        }
      }
      // beta == 0: C may hold NaN, never read it.
      const float scaled = dot * alpha;
      c[i * ldc] = beta == 0.0f ? scaled : fused_multiply_add<Arch>(beta, c[i * ldc], scaled);
    }
  };
  switch (k) {
    case 1:
      rows(std::integral_constant<std::size_t, 1>{});
      break;
    case 2:
      rows(std::integral_constant<std::size_t, 2>{});
      break;
    case 3:
      rows(std::integral_constant<std::size_t, 3>{});
      break;
    case 4:
      rows(std::integral_constant<std::size_t, 4>{});
      break;
    default:
      rows(std::integral_constant<std::size_t, 0>{});
      break;
  }
}

// The small-product path: any shape is correct (tests force it everywhere); sgemm_dispatch picks
// it for products that fit in L1 (see choose_path) and for a single row of C with
// op(B) = B. `workspace` as for sgemm_blocked (used only when trans_b).
template <class Arch, class Shape>
void sgemm_small(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                 float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                 float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    sgemm_scale_c<Arch>(m, n, beta, c, ldc);
    return;
  }
  auto columns = [&](std::size_t cols, std::size_t depth, const float* a_block,
                     const float* b_block, std::size_t ld_b, std::size_t extent, float beta_block,
                     float* c_block) {
    if (trans_a) {
      sgemm_small_columns<Arch, Shape, true>(m, cols, depth, alpha, a_block, lda, b_block, ld_b,
                                             extent, beta_block, c_block, ldc);
    } else {
      sgemm_small_columns<Arch, Shape, false>(m, cols, depth, alpha, a_block, lda, b_block, ld_b,
                                              extent, beta_block, c_block, ldc);
    }
  };
  if (n == 1) {
    // op(B) is one column: b[p * ldb], or b[p] when transposed (B stored 1 x k).
    const std::size_t b_stride = trans_b ? 1 : ldb;
    if (column_across_rows(trans_a, m, ldc)) {
      // C^T (1 x m) = op(B)^T (1 x k) * A (k x m, stored): one row of C times B, vectorized
      // across C's contiguous column.
      sgemm_small_columns<Arch, Shape, true>(1, m, k, alpha, b, b_stride, a, lda, m, beta, c, 1);
      return;
    }
    // k in KC blocks, as everywhere (only the first applies beta).
    for (std::size_t pc = 0; pc < k; pc += Shape::kc) {
      const std::size_t kc = k - pc < Shape::kc ? k - pc : Shape::kc;
      const float beta_block = pc == 0 ? beta : 1.0f;
      if (trans_a) {
        sgemm_small_column<Arch, true>(m, kc, alpha, a + pc * lda, lda, b + pc * b_stride, b_stride,
                                       beta_block, c, ldc);
      } else {
        sgemm_small_column<Arch, false>(m, kc, alpha, a + pc, lda, b + pc * b_stride, b_stride,
                                        beta_block, c, ldc);
      }
    }
    return;
  }
  if (!trans_b) {
    columns(n, k, a, b, ldb, n, beta, c);
    return;
  }
  // B^T in KC x NC blocks, each row padded to whole vectors: the workspace holds at least
  // round_up(min(n, NC), NR) * min(k, KC) floats.
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  for (std::size_t jc = 0; jc < n; jc += Shape::nc) {
    const std::size_t nc = n - jc < Shape::nc ? n - jc : Shape::nc;
    const std::size_t ld_copy = (nc + width - 1) / width * width;
    for (std::size_t pc = 0; pc < k; pc += Shape::kc) {
      const std::size_t kc = k - pc < Shape::kc ? k - pc : Shape::kc;
      // kc x nc of op(B) = B^T into the workspace (row stride ld_copy, columns past nc zero), so
      // the tiles read it by rows with whole vectors.
      copy_transposed<Arch>(b + jc * ldb + pc, ldb, nc, kc, workspace, ld_copy);
      const float* a_block = trans_a ? a + pc * lda : a + pc;
      // Only the first k block applies the caller's beta; later ones accumulate.
      columns(nc, kc, a_block, workspace, ld_copy, ld_copy, pc == 0 ? beta : 1.0f, c + jc);
    }
  }
}

}  // namespace simdnn::kernels::gemm
