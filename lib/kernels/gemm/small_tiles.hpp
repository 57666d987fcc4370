// lib/kernels/gemm/small_tiles.hpp — the loops of the small-product path
// (lib/kernels/gemm/small.hpp): register tiles of C streaming B's rows, the outer product (k == 1),
// and B held in registers for small depth. Each computes every element as one fma chain from +0 in
// increasing k, times alpha, then the one store to C (lib/kernels/gemm/store.hpp): the documented
// order, whatever the tile. C must not overlap A or B; nothing outside the tile's window of C is
// written, nothing past B's rows is read (see small.hpp, "Edges"). Never allocates.
#pragma once

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/gemm/store.hpp"
#include "kernels/gemm/transpose.hpp"
#include "kernels/partial.hpp"

namespace simdnn::kernels::gemm {

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
//
// Chains: 1, the blocked order (one fma chain per element). 2, the one-row order: a single row
// of C has only NV accumulators, too few FMA chains to cover the FMA latency, so even p and odd
// p go to two chains, each from +0, summed even + odd. Which p goes where depends on p alone
// (not on the tile's width or on where partial loads start), so the result is the same on every
// ISA; only the one-row loop uses it (lib/kernels/table.hpp, "Order of operations").
template <class Arch, std::size_t R, std::size_t NV, bool TransA, std::size_t Chains = 1>
[[gnu::always_inline]] inline void sgemm_small_tile(std::size_t k, const float* __restrict a,
                                                    std::size_t lda, const small_b_panel& bp,
                                                    float* __restrict c, std::size_t ldc,
                                                    float alpha, float beta) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const std::size_t a_rs = TransA ? 1 : lda, a_cs = TransA ? lda : 1;
  const float* __restrict b = bp.b;
  const std::size_t ldb = bp.ldb, tail = bp.tail;

  static_assert(Chains == 1 || (Chains == 2 && R == 1), "two chains only for the one-row loop");
  fbatch acc[Chains][R][NV];
#pragma GCC unroll 2
  for (std::size_t s = 0; s < Chains; ++s) {
#pragma GCC unroll 32
    for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) acc[s][i][v] = fbatch(0.0f);
    }
  }
  // One rank-1 update of chain `chain` from row p of B; Whole: the last vector is loaded whole
  // (p < safe).
  auto update = [&](auto chain, auto whole, std::size_t p) __attribute__((always_inline)) {
    constexpr std::size_t s = decltype(chain)::value;
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
      for (std::size_t v = 0; v < NV; ++v)
        acc[s][i][v] = fused_multiply_add<Arch>(av, bv[v], acc[s][i][v]);
    }
  };
  using even = std::integral_constant<std::size_t, 0>;
  using odd = std::integral_constant<std::size_t, Chains - 1>;
  const std::size_t safe = bp.safe < k ? bp.safe : k;
  std::size_t p = 0;
  if constexpr (Chains == 2) {
    for (; p + 2 <= safe; p += 2) {
      update(even{}, std::true_type{}, p);
      update(odd{}, std::true_type{}, p + 1);
    }
  }
  for (; p < safe; ++p) {
    if (Chains == 1 || p % 2 == 0) {
      update(even{}, std::true_type{}, p);
    } else {
      update(odd{}, std::true_type{}, p);
    }
  }
  // The last rows of B (at most width of them, usually one): partial loads.
  for (; p < k; ++p) {
    if (Chains == 1 || p % 2 == 0) {
      update(even{}, std::false_type{}, p);
    } else {
      update(odd{}, std::false_type{}, p);
    }
  }

  const fbatch alpha_v(alpha), beta_v(beta);
#pragma GCC unroll 32
  for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NV; ++v) {
      if constexpr (Chains == 2) acc[0][i][v] += acc[1][i][v];  // even + odd
      acc[0][i][v] *= alpha_v;
    }
  }
  // The store decisions are made once per tile, not per row: branches between the rows' stores
  // cost more than the arithmetic of a small-k tile (measured).
  auto store = [&](auto beta_zero, auto whole_tail) __attribute__((always_inline)) {
#pragma GCC unroll 32
    for (std::size_t i = 0; i < R; ++i) {
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) {
        float* cij = c + i * ldc + v * width;
        constexpr bool beta_is_zero = decltype(beta_zero)::value;
        if (v + 1 < NV || decltype(whole_tail)::value) {
          store_c<Arch, beta_is_zero, true>(acc[0][i][v], cij, width, beta_v);
        } else {
          store_c<Arch, beta_is_zero, false>(acc[0][i][v], cij, tail, beta_v);
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
    sgemm_small_tile<Arch, R, NV, TransA>(k, a + i * a_rs, lda, bp, c + i * ldc, ldc, alpha, beta);
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
  // alpha == 1 skips the multiply (t * 1 == t bit for bit) and beta == 0 the read of C, each
  // decided once per call: stores bound this loop, and a branch per element showed (0.74x).
  auto panel = [&](auto vectors, auto alpha_one, auto beta_zero, std::size_t j, std::size_t tail)
      __attribute__((always_inline)) {
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
        fbatch t = fused_multiply_add<Arch>(ai, bv[v], zero);
        if constexpr (!decltype(alpha_one)::value) t *= alpha_v;
        if (v + 1 < V || tail == width) {
          store_c<Arch, decltype(beta_zero)::value, true>(t, ci + v * width, width, beta_v);
        } else {
          store_c<Arch, decltype(beta_zero)::value, false>(t, ci + v * width, tail, beta_v);
        }
      }
    }
  };
  auto columns = [&](auto alpha_one, auto beta_zero) __attribute__((always_inline)) {
    using four = std::integral_constant<std::size_t, 4>;
    using one = std::integral_constant<std::size_t, 1>;
    std::size_t j = 0;
    for (; j + 4 * width <= n; j += 4 * width) panel(four{}, alpha_one, beta_zero, j, width);
    for (; j + width <= n; j += width) panel(one{}, alpha_one, beta_zero, j, width);
    if (j < n) panel(one{}, alpha_one, beta_zero, j, n - j);
  };
  if (alpha == 1.0f) {
    if (beta == 0.0f) {
      columns(std::true_type{}, std::true_type{});
    } else {
      columns(std::true_type{}, std::false_type{});
    }
  } else if (beta == 0.0f) {
    columns(std::false_type{}, std::true_type{});
  } else {
    columns(std::false_type{}, std::false_type{});
  }
}

// Depth K <= kSmallRegisterBDepth<NV> and C at most NV <= 2 vectors wide (a small network's
// layers: 150x4x10, 150x3x10, 150x10x3 and their backprop forms): all of B (K x NV vectors) is
// loaded into registers once, then each row of C costs K broadcasts and K NV FMAs. Rows are
// independent, so the out-of-order core overlaps their FMA chains; each element is one chain
// from +0 in the blocked order (two chains per row measured faster on Zen 3, but would round
// differently from the ISA whose wider vector takes the general tiles for the same shape). The
// register tiles reload B for every tile of rows and measured 2-3x slower on these shapes; so did
// this loop with a run-time depth (a guard per step of k: the taken branches bound it). Any m; B's
// partial last vector is loaded partially (nothing past a row of B is read).
template <std::size_t NV>
inline constexpr std::size_t kSmallRegisterBDepth =
    NV == 1 ? kRegisterBDepthOneVector : kRegisterBDepthTwoVectors;

// Chains: 1, the blocked order; 2, the one-row order (m == 1: even and odd p, summed even + odd),
// so that a single row gives the same bits here as in the one-row tiles on an ISA whose vector
// width sends it there.
template <class Arch, std::size_t K, std::size_t NV, bool TransA, std::size_t Chains = 1>
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
    fbatch acc[Chains][NV];
#pragma GCC unroll 2
    for (std::size_t s = 0; s < Chains; ++s) {
#pragma GCC unroll 2
      for (std::size_t v = 0; v < NV; ++v) acc[s][v] = fbatch(0.0f);
    }
#pragma GCC unroll 16
    for (std::size_t p = 0; p < K; ++p) {
      const fbatch ap(ai[p * a_cs]);
#pragma GCC unroll 2
      for (std::size_t v = 0; v < NV; ++v) {
        acc[p % Chains][v] = fused_multiply_add<Arch>(ap, bv[p][v], acc[p % Chains][v]);
      }
    }
    float* ci = c + i * ldc;
#pragma GCC unroll 2
    for (std::size_t v = 0; v < NV; ++v) {
      if constexpr (Chains == 2) acc[0][v] += acc[1][v];  // even + odd
      store_c<Arch>(acc[0][v] * alpha_v, ci + v * width, v + 1 < NV ? width : tail, beta, beta_v);
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
  if (m == 1) {
    sgemm_small_b_in_registers<Arch, K, NV, TransA, 2>(m, n, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    sgemm_small_b_in_registers<Arch, K, NV, TransA>(m, n, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

}  // namespace simdnn::kernels::gemm
