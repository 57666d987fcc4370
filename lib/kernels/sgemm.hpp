// lib/kernels/sgemm.hpp — arch-generic, cache-blocked SGEMM in the BLIS structure.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// Loops, outermost first (BLIS names): jc over NC columns of C (B block sized for L3), pc over
// KC of the k dimension (B packed once per (jc, pc) into NR-wide panels), ic over MC rows (A
// packed into MR-tall panels sized for L2), jr over NR, ir over MR, then the MR x NR register
// micro-kernel streams kc rank-1 updates from the packed panels. Transposition is folded into
// packing, so the micro-kernel only ever sees one layout. Edge tiles are computed whole (packing
// zero-pads them) and only their valid part is stored, the last partial vector with a masked
// store.
//
// Contract (see simdnn/sgemm.hpp): beta == 0 never reads C; k == 0 or alpha == 0 reads neither A
// nor B; nothing outside the m x n window of C is written. Never allocates: packing goes to the
// caller's workspace of sgemm_workspace_floats(...) floats (aligned here to 64 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/partial.hpp"

namespace simdnn::kernels {

// Blocking parameters are compile-time per ISA, so the micro-kernel is fully unrolled.
template <std::size_t MR, std::size_t NR, std::size_t KC, std::size_t MC, std::size_t NC>
struct gemm_shape {
  static constexpr std::size_t mr = MR, nr = NR, kc = KC, mc = MC, nc = NC;
  static_assert(MC % MR == 0 && NC % NR == 0, "cache blocks must hold whole register tiles");
};

template <class Arch>
inline std::size_t min_size(std::size_t a, std::size_t b) noexcept {
  return a < b ? a : b;
}

// The register micro-kernel: C(MR x NR, row stride ldc) := alpha * Ap * Bp + beta * C, with Ap
// an MR x kc block whose element (i, p) is ap[i * a_rs + p * a_cs] — a packed panel (a_rs = 1,
// a_cs = MR) or A itself (row-major: a_rs = lda, a_cs = 1; transposed: a_rs = 1, a_cs = lda) —
// and Bp a kc x NR panel stored row by row (bp[p * NR + j], 64-byte aligned). beta == 0: C is
// only written. Only the top-left rows x cols of the tile are stored (edge tiles; the packed
// panels are zero-padded, so the rest of the accumulators is simply dropped).
template <class Arch, std::size_t MR, std::size_t NR>
[[gnu::always_inline]] inline void sgemm_micro_kernel(std::size_t kc, const float* __restrict ap,
                                                      std::size_t a_rs, std::size_t a_cs,
                                                      const float* __restrict bp,
                                                      float* __restrict c, std::size_t ldc,
                                                      float alpha, float beta, std::size_t rows,
                                                      std::size_t cols) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t vectors = NR / width;
  static_assert(NR % width == 0, "NR must be a multiple of the vector width");

  // GCC 12 keeps these in registers only when every loop over them is fully unrolled.
  fbatch acc[MR][vectors];
#pragma GCC unroll 32
  for (std::size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (std::size_t v = 0; v < vectors; ++v) acc[i][v] = fbatch(0.0f);
  }

  for (std::size_t p = 0; p < kc; ++p) {
    fbatch b[vectors];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < vectors; ++v) b[v] = fbatch::load_aligned(bp + v * width);
#pragma GCC unroll 32
    for (std::size_t i = 0; i < MR; ++i) {
      const fbatch a(ap[i * a_rs]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < vectors; ++v) acc[i][v] = xsimd::fma(a, b[v], acc[i][v]);
    }
    ap += a_cs;
    bp += NR;
  }

  const fbatch alpha_v(alpha), beta_v(beta);
  if (rows == MR && cols == NR) {
    if (beta == 0.0f) {
      // C may hold NaN or Inf: never read it.
#pragma GCC unroll 32
      for (std::size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
        for (std::size_t v = 0; v < vectors; ++v) {
          (acc[i][v] * alpha_v).store_unaligned(c + i * ldc + v * width);
        }
      }
    } else {
#pragma GCC unroll 32
      for (std::size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
        for (std::size_t v = 0; v < vectors; ++v) {
          float* cij = c + i * ldc + v * width;
          xsimd::fma(beta_v, fbatch::load_unaligned(cij), acc[i][v] * alpha_v).store_unaligned(cij);
        }
      }
    }
    return;
  }
  // Edge tile: whole vectors where they fit, one masked vector for the last partial columns.
#pragma GCC unroll 32
  for (std::size_t i = 0; i < MR; ++i) {
    if (i >= rows) break;
#pragma GCC unroll 8
    for (std::size_t v = 0; v < vectors; ++v) {
      const std::size_t first = v * width;
      if (first >= cols) break;
      float* cij = c + i * ldc + first;
      fbatch result = acc[i][v] * alpha_v;
      if (cols - first >= width) {
        if (beta != 0.0f) result = xsimd::fma(beta_v, fbatch::load_unaligned(cij), result);
        result.store_unaligned(cij);
      } else {
        const std::size_t count = cols - first;
        if (beta != 0.0f) result = xsimd::fma(beta_v, load_partial<Arch>(cij, count), result);
        store_partial<Arch>(result, cij, count);
      }
    }
  }
}

// Packs rows [0, rows) x columns [0, depth) of op(A) (rows <= ... any) into MR-tall panels:
// panel r holds rows r*MR .. r*MR+MR-1, column by column; rows past `rows` are zero.
template <class Arch, std::size_t MR>
inline void sgemm_pack_a(bool trans, const float* a, std::size_t lda, std::size_t rows,
                         std::size_t depth, float* __restrict dst) noexcept {
  for (std::size_t r0 = 0; r0 < rows; r0 += MR) {
    const std::size_t valid = min_size<Arch>(MR, rows - r0);
    if (!trans) {
      // op(A)(i, p) = a[i * lda + p]: read each row contiguously, scatter into the panel.
      for (std::size_t i = 0; i < valid; ++i) {
        const float* src = a + (r0 + i) * lda;
        for (std::size_t p = 0; p < depth; ++p) dst[p * MR + i] = src[p];
      }
      for (std::size_t i = valid; i < MR; ++i) {
        for (std::size_t p = 0; p < depth; ++p) dst[p * MR + i] = 0.0f;
      }
    } else if (valid == MR) {
      // op(A)(i, p) = a[p * lda + i]: each panel column is contiguous in memory. A compile-time
      // trip count: GCC turns a variable-length copy loop into a memmove call per column.
      for (std::size_t p = 0; p < depth; ++p) {
        const float* src = a + p * lda + r0;
#pragma GCC unroll 32
        for (std::size_t i = 0; i < MR; ++i) dst[p * MR + i] = src[i];
      }
    } else {
      for (std::size_t p = 0; p < depth; ++p) {
        const float* src = a + p * lda + r0;
#pragma GCC unroll 32
        for (std::size_t i = 0; i < MR; ++i) dst[p * MR + i] = i < valid ? src[i] : 0.0f;
      }
    }
    dst += MR * depth;
  }
}

// Packs rows [0, depth) x columns [0, cols) of op(B) into NR-wide panels: panel s holds columns
// s*NR .. s*NR+NR-1, row by row; columns past `cols` are zero.
template <class Arch, std::size_t NR>
inline void sgemm_pack_b(bool trans, const float* b, std::size_t ldb, std::size_t depth,
                         std::size_t cols, float* __restrict dst) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  for (std::size_t c0 = 0; c0 < cols; c0 += NR) {
    const std::size_t valid = min_size<Arch>(NR, cols - c0);
    if (!trans) {
      // op(B)(p, j) = b[p * ldb + j]: panel rows are contiguous slices of B's rows.
      for (std::size_t p = 0; p < depth; ++p) {
        const float* src = b + p * ldb + c0;
        float* out = dst + p * NR;
        if (valid == NR) {
#pragma GCC unroll 8
          for (std::size_t v = 0; v < NR; v += width) {
            fbatch::load_unaligned(src + v).store_aligned(out + v);
          }
        } else {
          // Fixed trip count with a guard, not a variable-length loop GCC makes a memmove of.
#pragma GCC unroll 64
          for (std::size_t j = 0; j < NR; ++j) out[j] = j < valid ? src[j] : 0.0f;
        }
      }
    } else {
      // op(B)(p, j) = b[j * ldb + p]: walk B's rows, scatter into the panel's columns.
      for (std::size_t j = 0; j < valid; ++j) {
        const float* src = b + (c0 + j) * ldb;
        for (std::size_t p = 0; p < depth; ++p) dst[p * NR + j] = src[p];
      }
      for (std::size_t j = valid; j < NR; ++j) {
        for (std::size_t p = 0; p < depth; ++p) dst[p * NR + j] = 0.0f;
      }
    }
    dst += NR * depth;
  }
}

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

// C is a single row (one sample through a layer): stream op(B) straight from memory, no
// packing at all. op(B) = B: c_j = sum_p a_p b(p, j), four vectors of columns at a time, each
// row of B read once. op(B) = B^T: c_j = dot(a, row j of B), vectorized along k. `a_row` points
// at op(A)'s single row with element stride a_stride; `scratch` holds k floats (used when that
// stride is not 1).
template <class Arch>
inline void sgemm_single_row(bool trans_b, std::size_t n, std::size_t k, float alpha,
                             const float* a_row, std::size_t a_stride, const float* b,
                             std::size_t ldb, float beta, float* c, float* scratch) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  auto finish = [&](std::size_t j, float dot) {
    c[j] = beta == 0.0f ? alpha * dot : alpha * dot + beta * c[j];  // beta == 0: C not read
  };
  if (!trans_b) {
    const fbatch alpha_v(alpha), beta_v(beta);
    auto store = [&](fbatch acc, std::size_t j) {
      const fbatch scaled = acc * alpha_v;
      (beta == 0.0f ? scaled : xsimd::fma(beta_v, fbatch::load_unaligned(c + j), scaled))
          .store_unaligned(c + j);
    };
    std::size_t j = 0;
    for (; j + 4 * width <= n; j += 4 * width) {
      fbatch acc0(0.0f), acc1(0.0f), acc2(0.0f), acc3(0.0f);
      for (std::size_t p = 0; p < k; ++p) {
        const fbatch ap(a_row[p * a_stride]);
        const float* bp = b + p * ldb + j;
        acc0 = xsimd::fma(ap, fbatch::load_unaligned(bp), acc0);
        acc1 = xsimd::fma(ap, fbatch::load_unaligned(bp + width), acc1);
        acc2 = xsimd::fma(ap, fbatch::load_unaligned(bp + 2 * width), acc2);
        acc3 = xsimd::fma(ap, fbatch::load_unaligned(bp + 3 * width), acc3);
      }
      store(acc0, j);
      store(acc1, j + width);
      store(acc2, j + 2 * width);
      store(acc3, j + 3 * width);
    }
    for (; j + width <= n; j += width) {
      fbatch acc(0.0f);
      for (std::size_t p = 0; p < k; ++p) {
        acc = xsimd::fma(fbatch(a_row[p * a_stride]), fbatch::load_unaligned(b + p * ldb + j), acc);
      }
      store(acc, j);
    }
    for (; j < n; ++j) {
      float dot = 0.0f;
      for (std::size_t p = 0; p < k; ++p) dot += a_row[p * a_stride] * b[p * ldb + j];
      finish(j, dot);
    }
    return;
  }
  // Dot products along k need op(A)'s row contiguous.
  const float* a_contiguous = a_row;
  if (a_stride != 1) {
    for (std::size_t p = 0; p < k; ++p) scratch[p] = a_row[p * a_stride];
    a_contiguous = scratch;
  }
  for (std::size_t j = 0; j < n; ++j) {
    const float* bj = b + j * ldb;
    fbatch acc0(0.0f), acc1(0.0f);
    std::size_t p = 0;
    for (; p + 2 * width <= k; p += 2 * width) {
      acc0 = xsimd::fma(fbatch::load_unaligned(a_contiguous + p), fbatch::load_unaligned(bj + p), acc0);
      acc1 = xsimd::fma(fbatch::load_unaligned(a_contiguous + p + width),
                        fbatch::load_unaligned(bj + p + width), acc1);
    }
    alignas(64) float lanes[width];
    (acc0 + acc1).store_aligned(lanes);
    float dot = 0.0f;
    for (float lane : lanes) dot += lane;
    for (; p < k; ++p) dot += a_contiguous[p] * bj[p];
    finish(j, dot);
  }
}

// Whether A is packed. Packing costs one pass over A per k block and pays off when the packed
// panels are reused across many NR-wide panels of B; for narrow C (n <= kNoPackMaxPanels * NR,
// e.g. every layer of a small network) the micro-kernel reads A in place (BLIS's "sup" idea),
// and only a partial last row panel is copied, so no row past m is ever read.
enum class a_packing : unsigned char { automatic, always, never };
inline constexpr std::size_t kNoPackMaxPanels = 4;

template <class Arch, class Shape, a_packing Policy = a_packing::automatic>
void sgemm_blocked(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                   float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                   float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  constexpr std::size_t MR = Shape::mr, NR = Shape::nr, KC = Shape::kc, MC = Shape::mc,
                        NC = Shape::nc;
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  if constexpr (NR > width) {
    // A C at most one vector wide (a network's last layers, their backprop): the same loops with
    // a one-vector register tile, so B panels are not padded to NR and no lanes are wasted.
    if (n <= width) {
      sgemm_blocked<Arch, gemm_shape<MR, width, KC, MC, NC / NR * width>, Policy>(
          trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace);
      return;
    }
  }
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    sgemm_scale_c<Arch>(m, n, beta, c, ldc);
    return;
  }
  // The gather of a strided A row needs k floats of workspace, which holds at least MR * KC.
  if (Policy == a_packing::automatic && m == 1 && (!(trans_a && trans_b) || k <= MR * KC)) {
    // op(A)(0, p) is a[p] or, transposed, a[p * lda].
    sgemm_single_row<Arch>(trans_b, n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c,
                           workspace);
    return;
  }

  // Carve the workspace: packed A block, then packed B block, each 64-byte aligned.
  const std::size_t kc_max = min_size<Arch>(k, KC);
  const std::size_t a_floats = ((min_size<Arch>(m, MC) + MR - 1) / MR * MR * kc_max + 15) / 16 * 16;
  auto align64 = [](float* p) {
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    return reinterpret_cast<float*>((address + 63) & ~std::uintptr_t{63});
  };
  float* const a_pack = align64(workspace);
  float* const b_pack = a_pack + a_floats;

  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = min_size<Arch>(NC, n - jc);
    const bool pack_a = Policy == a_packing::always ||
                        (Policy == a_packing::automatic && nc > kNoPackMaxPanels * NR);
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = min_size<Arch>(KC, k - pc);
      const float* b_block = trans_b ? b + jc * ldb + pc : b + pc * ldb + jc;
      sgemm_pack_b<Arch, NR>(trans_b, b_block, ldb, kc, nc, b_pack);
      // Only the first k block applies the caller's beta; later ones accumulate.
      const float beta_block = pc == 0 ? beta : 1.0f;
      for (std::size_t ic = 0; ic < m; ic += MC) {
        const std::size_t mc = min_size<Arch>(MC, m - ic);
        const float* a_block = trans_a ? a + pc * lda + ic : a + ic * lda + pc;
        // Unpacked: op(A)(i, p) sits at a_block[i * a_rs + p * a_cs].
        const std::size_t a_rs = trans_a ? 1 : lda, a_cs = trans_a ? lda : 1;
        const std::size_t full_rows = mc / MR * MR;
        if (pack_a) {
          sgemm_pack_a<Arch, MR>(trans_a, a_block, lda, mc, kc, a_pack);
        } else if (full_rows < mc) {
          // The partial last panel is copied (zero-padded) so no row past m is read.
          const float* tail = trans_a ? a_block + full_rows : a_block + full_rows * lda;
          sgemm_pack_a<Arch, MR>(trans_a, tail, lda, mc - full_rows, kc, a_pack);
        }
        for (std::size_t jr = 0; jr < nc; jr += NR) {
          const std::size_t nr = min_size<Arch>(NR, nc - jr);
          const float* b_panel = b_pack + jr * kc;
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const std::size_t mr = min_size<Arch>(MR, mc - ir);
            float* c_tile = c + (ic + ir) * ldc + jc + jr;
            const bool in_place = !pack_a && mr == MR;
            const float* a_panel = pack_a ? a_pack + ir * kc
                                   : in_place ? a_block + ir * a_rs
                                              : a_pack;
            if (in_place) {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, a_rs, a_cs, b_panel, c_tile, ldc,
                                               alpha, beta_block, mr, nr);
            } else {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, 1, MR, b_panel, c_tile, ldc, alpha,
                                               beta_block, mr, nr);
            }
          }
        }
      }
    }
  }
}

}  // namespace simdnn::kernels
