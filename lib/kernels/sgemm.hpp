// lib/kernels/sgemm.hpp — arch-generic, cache-blocked SGEMM in the BLIS structure.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// Loops, outermost first (BLIS names): jc over NC columns of C (B block sized for L3), pc over
// KC of the k dimension (B packed once per (jc, pc) into NR-wide panels), ic over MC rows (A
// packed into MR-tall panels sized for L2), jr over NR, ir over MR, then the MR x NR register
// micro-kernel streams kc rank-1 updates from the packed panels. Transposition is folded into
// packing, so the micro-kernel only ever sees one layout. Edge tiles are computed whole into a
// stack tile (packing zero-pads them) and only their valid part is written back.
//
// Contract (see simdnn/sgemm.hpp): beta == 0 never reads C; k == 0 or alpha == 0 reads neither A
// nor B; nothing outside the m x n window of C is written. Never allocates: packing goes to the
// caller's workspace of sgemm_workspace_floats(...) floats (aligned here to 64 bytes).
#pragma once

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

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
// an MR x kc panel stored column by column (ap[p * MR + i]) and Bp a kc x NR panel stored row by
// row (bp[p * NR + j], 64-byte aligned). beta == 0: C is only written.
template <class Arch, std::size_t MR, std::size_t NR>
inline void sgemm_micro_kernel(std::size_t kc, const float* __restrict ap,
                               const float* __restrict bp, float* __restrict c, std::size_t ldc,
                               float alpha, float beta) noexcept {
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
      const fbatch a(ap[i]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < vectors; ++v) acc[i][v] = xsimd::fma(a, b[v], acc[i][v]);
    }
    ap += MR;
    bp += NR;
  }

  const fbatch alpha_v(alpha);
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
    const fbatch beta_v(beta);
#pragma GCC unroll 32
    for (std::size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
      for (std::size_t v = 0; v < vectors; ++v) {
        float* cij = c + i * ldc + v * width;
        xsimd::fma(beta_v, fbatch::load_unaligned(cij), acc[i][v] * alpha_v).store_unaligned(cij);
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
    } else {
      // op(A)(i, p) = a[p * lda + i]: each panel column is contiguous in memory.
      for (std::size_t p = 0; p < depth; ++p) {
        const float* src = a + p * lda + r0;
        for (std::size_t i = 0; i < valid; ++i) dst[p * MR + i] = src[i];
      }
    }
    for (std::size_t i = valid; i < MR; ++i) {
      for (std::size_t p = 0; p < depth; ++p) dst[p * MR + i] = 0.0f;
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
          std::size_t j = 0;
          for (; j < valid; ++j) out[j] = src[j];
          for (; j < NR; ++j) out[j] = 0.0f;
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

template <class Arch, class Shape>
void sgemm_blocked(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                   float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                   float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  constexpr std::size_t MR = Shape::mr, NR = Shape::nr, KC = Shape::kc, MC = Shape::mc,
                        NC = Shape::nc;
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    sgemm_scale_c<Arch>(m, n, beta, c, ldc);
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

  alignas(64) float edge[MR * NR];
  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = min_size<Arch>(NC, n - jc);
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = min_size<Arch>(KC, k - pc);
      const float* b_block = trans_b ? b + jc * ldb + pc : b + pc * ldb + jc;
      sgemm_pack_b<Arch, NR>(trans_b, b_block, ldb, kc, nc, b_pack);
      // Only the first k block applies the caller's beta; later ones accumulate.
      const float beta_block = pc == 0 ? beta : 1.0f;
      for (std::size_t ic = 0; ic < m; ic += MC) {
        const std::size_t mc = min_size<Arch>(MC, m - ic);
        const float* a_block = trans_a ? a + pc * lda + ic : a + ic * lda + pc;
        sgemm_pack_a<Arch, MR>(trans_a, a_block, lda, mc, kc, a_pack);
        for (std::size_t jr = 0; jr < nc; jr += NR) {
          const std::size_t nr = min_size<Arch>(NR, nc - jr);
          const float* b_panel = b_pack + jr * kc;
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const std::size_t mr = min_size<Arch>(MR, mc - ir);
            const float* a_panel = a_pack + ir * kc;
            float* c_tile = c + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, b_panel, c_tile, ldc, alpha,
                                               beta_block);
            } else {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, b_panel, edge, NR, 1.0f, 0.0f);
              for (std::size_t i = 0; i < mr; ++i) {
                float* row = c_tile + i * ldc;
                for (std::size_t j = 0; j < nr; ++j) {
                  const float product = alpha * edge[i * NR + j];
                  // beta == 0: never read C (it may hold NaN).
                  row[j] = beta_block == 0.0f ? product : product + beta_block * row[j];
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace simdnn::kernels
