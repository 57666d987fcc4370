// lib/kernels/gemm/packing.hpp — copying blocks of op(A) and op(B) into the panels the
// micro-kernel streams, transposition folded in.
//
// Packing, as BLIS does it: panels P wide (MR for A, NR for B) and depth long, panel q holding
// columns q*P .. q*P+P-1 row by row at dst + q * P * depth, columns past `cols` zero. The source
// is one of two layouts, and op(A) and op(B) are mirror images: A not transposed and B transposed
// are stored line by line along the depth (sgemm_pack_lines), A transposed and B not transposed
// row by row across the panels (sgemm_pack_rows).
// Exact (copies only); panels are 64-byte aligned by the caller; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/gemm/transpose.hpp"

namespace simdnn::kernels::gemm {

// Source line j (column j of the panels) at src + j * ld, contiguous along depth: each panel is
// an in-register transposing copy.
template <class Arch, std::size_t P>
inline void sgemm_pack_lines(const float* src, std::size_t ld, std::size_t depth, std::size_t cols,
                             float* __restrict dst) noexcept {
  for (std::size_t c0 = 0; c0 < cols; c0 += P) {
    copy_transposed<Arch>(src + c0 * ld, ld, min_size<Arch>(P, cols - c0), depth, dst, P);
    dst += P * depth;
  }
}

// Source row p (row p of every panel) at src + p * ld, contiguous across the panels: each row is
// read once and dealt out to the panels. (Panel by panel, every source line would be fetched
// once per panel with a stride of ld, which the prefetchers and the L1 sets serve worse: rows a
// multiple of 4 KiB apart share one set.)
template <class Arch, std::size_t P>
inline void sgemm_pack_rows(const float* src, std::size_t ld, std::size_t depth, std::size_t cols,
                            float* __restrict dst) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  const std::size_t whole_panels = cols / P, panel_floats = P * depth;
  // Panels narrower than a vector (MR on AVX2 and AVX-512) are copied as one whole vector while
  // that stays inside the row: the extra lanes spill into the next row's slots of the same panel,
  // rewritten by the next row's copy (so never on the last row).
  const std::size_t spill_panels =
      P < width && cols >= width ? min_size<Arch>(whole_panels, (cols - width) / P + 1) : 0;
  for (std::size_t p = 0; p < depth; ++p) {
    const float* row = src + p * ld;
    float* out = dst + p * P;
    std::size_t q = 0;
    if constexpr (P % width == 0) {
      for (; q < whole_panels; ++q) {
#pragma GCC unroll 8
        for (std::size_t v = 0; v < P; v += width) {
          fbatch::load_unaligned(row + q * P + v).store_aligned(out + q * panel_floats + v);
        }
      }
    } else if (p + 1 < depth) {
      for (; q < spill_panels; ++q) {
        fbatch::load_unaligned(row + q * P).store_unaligned(out + q * panel_floats);
      }
    }
    // A compile-time trip count: GCC turns a variable-length copy loop into a memmove call.
    for (; q < whole_panels; ++q) {
#pragma GCC unroll 32
      for (std::size_t j = 0; j < P; ++j) out[q * panel_floats + j] = row[q * P + j];
    }
    if (whole_panels * P < cols) {
      const std::size_t valid = cols - whole_panels * P;
#pragma GCC unroll 64
      for (std::size_t j = 0; j < P; ++j) {
        out[whole_panels * panel_floats + j] = j < valid ? row[whole_panels * P + j] : 0.0f;
      }
    }
  }
}

// Rows [0, rows) x columns [0, depth) of op(A) into MR-tall panels (panel columns are op(A)'s
// rows): op(A)(i, p) = a[i * lda + p], or a[p * lda + i] when transposed.
template <class Arch, std::size_t MR>
inline void sgemm_pack_a(bool trans, const float* a, std::size_t lda, std::size_t rows,
                         std::size_t depth, float* __restrict dst) noexcept {
  if (trans) {
    sgemm_pack_rows<Arch, MR>(a, lda, depth, rows, dst);
  } else {
    sgemm_pack_lines<Arch, MR>(a, lda, depth, rows, dst);
  }
}

// Rows [0, depth) x columns [0, cols) of op(B) into NR-wide panels: op(B)(p, j) = b[p * ldb + j],
// or b[j * ldb + p] when transposed.
template <class Arch, std::size_t NR>
inline void sgemm_pack_b(bool trans, const float* b, std::size_t ldb, std::size_t depth,
                         std::size_t cols, float* __restrict dst) noexcept {
  if (trans) {
    sgemm_pack_lines<Arch, NR>(b, ldb, depth, cols, dst);
  } else {
    sgemm_pack_rows<Arch, NR>(b, ldb, depth, cols, dst);
  }
}

}  // namespace simdnn::kernels::gemm
