// lib/kernels/sgemm_small.hpp — arch-generic SGEMM for tiny products, without packing.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// For products whose operands sit in L1 (a small network's layers and their backprop, one-sample
// inference) packing costs as much as the arithmetic. Here register tiles of C (MR rows x 1 or 2
// vectors, the blocked micro-kernel's register budget) stream op(B)'s rows straight from memory
// and broadcast op(A)'s elements from memory, A's strides folded into the addressing (op(A) = A
// or A^T: no copy). op(B) = B^T cannot be read by rows, so it alone is transposed into the
// workspace in KC x NC blocks (a few dozen floats for the shapes this path is chosen for).
// Degenerate shapes have their own loops: one row of C (m == 1: 4-vector panels), one column (n == 1: scalar dots, or vectorized across C's rows
// when op(A) = A^T and ldc == 1), depth one (k == 1: an outer product, store-bound), and small
// depth with C at most two vectors wide (all of B held in registers, one row of C at a time).
//
// Chosen by sgemm_dispatch (lib/kernels/sgemm.hpp, the kernel table's sgemm) when
// sgemm_small_fits: m n k <= 64^3 and (m + n) k <= 8192 floats (op(A) and op(B) within a 32 KiB
// L1D), and for m == 1 with op(B) = B at any size; kernel_table::sgemm_small forces it (tests).
//
// Edges without a temporary: the last partial vector of a row of B is loaded whole while that
// stays before B's last element (every row but the last one or few: lanes past column n read the
// row's padding or the next row and are never stored) and with a partial load beyond; rows of C
// are never padded: a remainder runs through tiles of 8, 4, 2 and 1 rows; the last partial vector
// of a row of C is stored with store_partial.
//
// Order of operations: every loop here computes each element of C exactly as the blocked
// kernel does (lib/kernels/sgemm.hpp, "Order of operations"): k in blocks of KC, one fma chain
// from +0 per block, times alpha, then beta. Which loop runs depends on the vector width, so this
// is what makes the result independent of the ISA (and of the path: tests compare them bitwise).
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
#include "kernels/partial.hpp"
#include "kernels/transpose.hpp"

namespace simdnn::kernels {

// C := beta * C over the m x n window; beta == 0 writes zeros without reading.
template <class Arch>
inline void sgemm_scale_c(std::size_t m, std::size_t n, float beta, float* c,
                          std::size_t ldc) noexcept {
  if (beta == 1.0f) return;
  for (std::size_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      for (std::size_t j = 0; j < n; ++j) row[j] = 0.0f;
    } else {
      for (std::size_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// Where a small tile reads op(B): rows b + p * ldb, the tile's columns starting at `b`. The first
// NV - 1 vectors of a row are whole; the last holds `tail` (1..width) valid lanes and may be
// loaded whole for rows p < `safe` (the over-read stays inside B), partially from there on.
struct small_b_panel {
  const float* b;
  std::size_t ldb, tail, safe;
};

// One R x NV register tile of C (row stride ldc), all R rows valid:
//   C := alpha * op(A)(R x k) * B(k x cols) + beta * C,   cols = (NV - 1) * width + tail.
// op(A)(i, p) = a[i * lda + p], or a[p * lda + i] when TransA. Each element is one fma chain
// along k from +0, in the blocked micro-kernel's order (see "Order of operations" above), so the
// tile's shape, which differs by ISA, never changes a result.
template <class Arch, std::size_t R, std::size_t NV, bool TransA>
[[gnu::always_inline]] inline void sgemm_small_tile(std::size_t k, const float* __restrict a,
                                                    std::size_t lda, const small_b_panel& bp,
                                                    float* __restrict c, std::size_t ldc,
                                                    float alpha, float beta) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const std::size_t a_rs = TransA ? 1 : lda, a_cs = TransA ? lda : 1;
  const float* __restrict b = bp.b;
  const std::size_t ldb = bp.ldb, tail = bp.tail;

  fbatch acc[R][NV];
#pragma GCC unroll 32
  for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NV; ++v) acc[i][v] = fbatch(0.0f);
  }
  // One rank-1 update from row p of B; Whole: the last vector is loaded whole (p < safe).
  auto update = [&](auto whole, std::size_t p) __attribute__((always_inline)) {
    const float* row = b + p * ldb;
    fbatch bv[NV];
#pragma GCC unroll 8
    for (std::size_t v = 0; v + 1 < NV; ++v) bv[v] = fbatch::load_unaligned(row + v * width);
    if constexpr (decltype(whole)::value) {
      bv[NV - 1] = fbatch::load_unaligned(row + (NV - 1) * width);
    } else {
      bv[NV - 1] = load_partial<Arch>(row + (NV - 1) * width, tail);
    }
    const float* ap = a + p * a_cs;
#pragma GCC unroll 32
    for (std::size_t i = 0; i < R; ++i) {
      const fbatch av(ap[i * a_rs]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) acc[i][v] = fused_multiply_add<Arch>(av, bv[v], acc[i][v]);
    }
  };
  const std::size_t safe = bp.safe < k ? bp.safe : k;
  std::size_t p = 0;
  for (; p < safe; ++p) update(std::true_type{}, p);
  // The last rows of B (at most width of them, usually one): partial loads.
  for (; p < k; ++p) update(std::false_type{}, p);

  const fbatch alpha_v(alpha), beta_v(beta);
#pragma GCC unroll 32
  for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NV; ++v) acc[i][v] *= alpha_v;
  }
  // The store decisions are made once per tile, not per row: branches between the rows' stores
  // cost more than the arithmetic of a small-k tile (measured).
  auto store = [&](auto beta_zero, auto whole_tail) __attribute__((always_inline)) {
#pragma GCC unroll 32
    for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) {
        fbatch result = acc[i][v];
        float* cij = c + i * ldc + v * width;
        if (v + 1 < NV || decltype(whole_tail)::value) {
          // beta == 0: C may hold NaN or Inf, never read it.
          if constexpr (!decltype(beta_zero)::value) {
            result = fused_multiply_add<Arch>(beta_v, fbatch::load_unaligned(cij), result);
          }
          result.store_unaligned(cij);
        } else {
          if constexpr (!decltype(beta_zero)::value) {
            result = fused_multiply_add<Arch>(beta_v, load_partial<Arch>(cij, tail), result);
          }
          store_partial<Arch>(result, cij, tail);
        }
      }
    }
  };
  if (beta == 0.0f) {
    if (tail == width) {
      store(std::true_type{}, std::true_type{});
    } else {
      store(std::true_type{}, std::false_type{});
    }
  } else if (tail == width) {
    store(std::false_type{}, std::true_type{});
  } else {
    store(std::false_type{}, std::false_type{});
  }
}

// All m rows of one column panel: R-row tiles, then the remainder through tiles of the powers of
// two below R (so 11 rows after the 12-row tiles run as 8 + 2 + 1, never as a padded tile).
template <class Arch, std::size_t R, std::size_t NV, bool TransA>
void sgemm_small_rows(std::size_t m, std::size_t k, const float* a, std::size_t lda,
                      const small_b_panel& bp, float* c, std::size_t ldc, float alpha,
                      float beta) noexcept {
  const std::size_t a_rs = TransA ? 1 : lda;
  std::size_t i = 0;
  for (; i + R <= m; i += R) {
    sgemm_small_tile<Arch, R, NV, TransA>(k, a + i * a_rs, lda, bp, c + i * ldc, ldc, alpha,
                                                beta);
  }
  if constexpr (R > 1) {
    constexpr std::size_t next =
        (R & (R - 1)) == 0 ? R / 2 : std::size_t{1} << (63 - __builtin_clzll(R));
    if (i < m) {
      sgemm_small_rows<Arch, next, NV, TransA>(m - i, k, a + i * a_rs, lda, bp, c + i * ldc, ldc,
                                               alpha, beta);
    }
  }
}

// One vector of a row of C: dst := result + beta * dst over `width` lanes when whole, else over
// the first `tail`. beta == 0 never reads dst (C may hold NaN or Inf there).
template <class Arch>
[[gnu::always_inline]] inline void sgemm_small_store(xsimd::batch<float, Arch> result, float* dst,
                                                     bool whole, std::size_t tail, float beta,
                                                     xsimd::batch<float, Arch> beta_v) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if (whole) {
    if (beta != 0.0f) result = fused_multiply_add<Arch>(beta_v, fbatch::load_unaligned(dst), result);
    result.store_unaligned(dst);
  } else {
    if (beta != 0.0f) result = fused_multiply_add<Arch>(beta_v, load_partial<Arch>(dst, tail), result);
    store_partial<Arch>(result, dst, tail);
  }
}

// k == 1: C := alpha * a b + beta * C, an outer product of op(A)'s column (element i at
// a[i * a_rs]) and B's single row. Stores bound it: panels of up to 4 vectors of B stay in
// registers while the rows of C stream past, one broadcast per row. Rounded as a one-step chain
// of the blocked order: fma(a, b, +0) (so a zero product is +0, as there), then times alpha.
template <class Arch>
void sgemm_small_rank1(std::size_t m, std::size_t n, float alpha, const float* a, std::size_t a_rs,
                       const float* b, float beta, float* c, std::size_t ldc) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const fbatch alpha_v(alpha), beta_v(beta), zero(0.0f);
  auto panel = [&](auto vectors, std::size_t j, std::size_t tail) __attribute__((always_inline)) {
    constexpr std::size_t V = decltype(vectors)::value;
    fbatch bv[V];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) {
      // B's only row is its last: a partial vector is loaded partially.
      bv[v] = v + 1 < V || tail == width ? fbatch::load_unaligned(b + j + v * width)
                                         : load_partial<Arch>(b + j + v * width, tail);
    }
    for (std::size_t i = 0; i < m; ++i) {
      const fbatch ai(a[i * a_rs]);
      float* ci = c + i * ldc + j;
#pragma GCC unroll 4
      for (std::size_t v = 0; v < V; ++v) {
        const fbatch product = fused_multiply_add<Arch>(ai, bv[v], zero);
        sgemm_small_store<Arch>(product * alpha_v, ci + v * width, v + 1 < V || tail == width,
                                tail, beta, beta_v);
      }
    }
  };
  std::size_t j = 0;
  for (; j + 4 * width <= n; j += 4 * width)
    panel(std::integral_constant<std::size_t, 4>{}, j, width);
  for (; j + width <= n; j += width) panel(std::integral_constant<std::size_t, 1>{}, j, width);
  if (j < n) panel(std::integral_constant<std::size_t, 1>{}, j, n - j);
}

// Depth K <= kSmallRegisterBDepth<NV> and C at most NV <= 2 vectors wide (a small network's
// layers: 150x4x10, 150x3x10, 150x10x3 and their backprop forms): all of B (K x NV vectors) is
// loaded into registers once, then each row of C costs K broadcasts and K NV FMAs. Rows are
// independent, so the out-of-order core overlaps their FMA chains; each element is one chain
// from +0 in the blocked order (two chains per row measured faster on Zen 3, but would round
// differently from the ISA whose wider vector takes the general tiles for the same shape). The register tiles reload B
// for every tile of rows and measured 2-3x slower on these shapes; so did this loop with a
// run-time depth (a guard per step of k: the taken branches bound it). Any m; B's partial last
// vector is loaded partially (nothing past a row of B is read).
template <std::size_t NV>
inline constexpr std::size_t kSmallRegisterBDepth = NV == 1 ? 10 : 5;  // B + 2 NV + 3 <= 16

template <class Arch, std::size_t K, std::size_t NV, bool TransA>
void sgemm_small_b_in_registers(std::size_t m, std::size_t n, float alpha, const float* a,
                                std::size_t lda, const float* b, std::size_t ldb, float beta,
                                float* c, std::size_t ldc) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const std::size_t tail = n - (NV - 1) * width;
  const std::size_t a_rs = TransA ? 1 : lda, a_cs = TransA ? lda : 1;
  fbatch bv[K][NV];
#pragma GCC unroll 16
  for (std::size_t p = 0; p < K; ++p) {
#pragma GCC unroll 2
    for (std::size_t v = 0; v < NV; ++v) {
      const float* src = b + p * ldb + v * width;
      bv[p][v] =
          v + 1 < NV || tail == width ? fbatch::load_unaligned(src) : load_partial<Arch>(src, tail);
    }
  }
  const fbatch alpha_v(alpha), beta_v(beta);
  for (std::size_t i = 0; i < m; ++i) {
    const float* ai = a + i * a_rs;
    fbatch acc[NV];
#pragma GCC unroll 2
    for (std::size_t v = 0; v < NV; ++v) acc[v] = fbatch(0.0f);
#pragma GCC unroll 16
    for (std::size_t p = 0; p < K; ++p) {
      const fbatch ap(ai[p * a_cs]);
#pragma GCC unroll 2
      for (std::size_t v = 0; v < NV; ++v) acc[v] = fused_multiply_add<Arch>(ap, bv[p][v], acc[v]);
    }
    float* ci = c + i * ldc;
#pragma GCC unroll 2
    for (std::size_t v = 0; v < NV; ++v) {
      sgemm_small_store<Arch>(acc[v] * alpha_v, ci + v * width, v + 1 < NV || tail == width,
                              tail, beta, beta_v);
    }
  }
}

// k (2 <= k <= kSmallRegisterBDepth<NV>) to the instantiation for that depth.
template <class Arch, std::size_t NV, bool TransA, std::size_t K = 2>
void sgemm_small_b_in_registers_depth(std::size_t m, std::size_t n, std::size_t k, float alpha,
                                      const float* a, std::size_t lda, const float* b,
                                      std::size_t ldb, float beta, float* c,
                                      std::size_t ldc) noexcept {
  if constexpr (K < kSmallRegisterBDepth<NV>) {
    if (k != K) {
      sgemm_small_b_in_registers_depth<Arch, NV, TransA, K + 1>(m, n, k, alpha, a, lda, b, ldb,
                                                                beta, c, ldc);
      return;
    }
  }
  sgemm_small_b_in_registers<Arch, K, NV, TransA>(m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}

// One KC block of sgemm_small_columns (k <= KC): C := alpha * op(A) * B + beta * C.
template <class Arch, class Shape, bool TransA>
void sgemm_small_columns_block(std::size_t m, std::size_t n, std::size_t k, float alpha,
                               const float* a, std::size_t lda, const float* b, std::size_t ldb,
                               std::size_t extent, float beta, float* c,
                               std::size_t ldc) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t MR = Shape::mr;
  if (k == 1 && m > 1) {
    sgemm_small_rank1<Arch>(m, n, alpha, a, TransA ? 1 : lda, b, beta, c, ldc);
    return;
  }
  // A single row gains nothing from holding B in registers; it takes the tiles below on every
  // ISA (the choice here depends on the vector width, the order of operations must not).
  if (k >= 2 && m > 1) {
    if (n <= width && k <= kSmallRegisterBDepth<1>) {
      sgemm_small_b_in_registers_depth<Arch, 1, TransA>(m, n, k, alpha, a, lda, b, ldb, beta, c,
                                                        ldc);
      return;
    }
    if (n <= 2 * width && k <= kSmallRegisterBDepth<2>) {
      sgemm_small_b_in_registers_depth<Arch, 2, TransA>(m, n, k, alpha, a, lda, b, ldb, beta, c,
                                                        ldc);
      return;
    }
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
          sgemm_small_tile<Arch, 1, 4, TransA>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        case 3:
          sgemm_small_tile<Arch, 1, 3, TransA>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        case 2:
          sgemm_small_tile<Arch, 1, 2, TransA>(k, a, lda, bp, c_panel, ldc, alpha, beta);
          break;
        default:
          sgemm_small_tile<Arch, 1, 1, TransA>(k, a, lda, bp, c_panel, ldc, alpha, beta);
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
template <class Arch, class Shape, bool TransA>
void sgemm_small_columns(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                         std::size_t lda, const float* b, std::size_t ldb, std::size_t extent,
                         float beta, float* c, std::size_t ldc) noexcept {
  if (k <= Shape::kc) {
    sgemm_small_columns_block<Arch, Shape, TransA>(m, n, k, alpha, a, lda, b, ldb, extent, beta,
                                                   c, ldc);
    return;
  }
  const std::size_t a_cs = TransA ? lda : 1;
  for (std::size_t pc = 0; pc < k; pc += Shape::kc) {
    const std::size_t kc = k - pc < Shape::kc ? k - pc : Shape::kc;
    sgemm_small_columns_block<Arch, Shape, TransA>(m, n, kc, alpha, a + pc * a_cs, lda,
                                                   b + pc * ldb, ldb, extent,
                                                   pc == 0 ? beta : 1.0f, c, ldc);
  }
}

// One column of C (n == 1), k <= KC: c_i = dot(op(A) row i, b), b's element p at b[p * b_stride],
// one scalar fma chain from +0 in the blocked order. Scalar, one row at a time (the rows' chains overlap out of order): a vector tile would waste all lanes
// but one; for op(A) = A^T with contiguous C (ldc == 1) sgemm_small vectorizes across rows
// instead. Measured faster than four rows interleaved, whose group-wise stores and loop exits
// serialize more.
// Keeps GCC's vectorizer off this deliberately scalar loop; clang has no such attribute (and
// warns about it), so the macro is empty there.
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
        for (std::size_t p = 0; p < K; ++p) dot = fused_multiply_add<Arch>(ai[p * a_cs], bk[p], dot);
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
// it for products that fit in L1 (see sgemm_small_fits) and for a single row of C with
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
    if (trans_a && ldc == 1 && m > 1) {
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
        sgemm_small_column<Arch, true>(m, kc, alpha, a + pc * lda, lda, b + pc * b_stride,
                                       b_stride, beta_block, c, ldc);
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

// Whether sgemm_dispatch hands a product to sgemm_small: at most 64^3 multiply-adds with op(A) and
// op(B) together within 32 KiB (8192 floats, an L1D), where packing cannot pay for itself.
inline constexpr std::size_t kSmallMaxWork = std::size_t{64} * 64 * 64;
inline constexpr std::size_t kSmallMaxOperandFloats = 8192;

template <class Arch>
inline bool sgemm_small_fits(std::size_t m, std::size_t n, std::size_t k) noexcept {
  // Each factor is bounded first, so the products cannot overflow.
  if (m > kSmallMaxWork || n > kSmallMaxWork || k > kSmallMaxOperandFloats) return false;
  return m * n * k <= kSmallMaxWork && (m + n) * k <= kSmallMaxOperandFloats;
}

}  // namespace simdnn::kernels
