// lib/kernels/gemm/blocked.hpp — the cache-blocked SGEMM loops in the BLIS structure.
//
//   C := alpha * op(A) * op(B) + beta * C        row-major, arguments already validated
//
// Loops, outermost first (BLIS names): jc over NC columns of C (B block sized for L3), pc over
// KC of the k dimension (B packed once per (jc, pc) into NR-wide panels), ic over MC rows (A
// packed into MR-tall panels sized for L2), jr over NR, ir over MR, then the MR x NR register
// micro-kernel streams kc rank-1 updates from the packed panels. Transposition is folded into
// packing, so the micro-kernel only ever sees one layout. Edge tiles are computed whole (packing
// zero-pads them) and only their valid part is stored, the last partial vector with a masked
// store. Narrow C reads A in place, C with few rows reads B in place: the micro-kernel takes a
// row stride for each.
// The choices (A or B in place, the narrow tile) are made in lib/kernels/gemm/path.hpp.
// A fused dense layer (lib/kernels/gemm/epilogue.hpp) runs these same loops with two hooks: C's
// starting value on the first k block read from a bias row instead of C (c_start), and an
// epilogue called on each tile of the last k block right after the micro-kernel stored it.
//
// Contract (see simdnn/sgemm.hpp): beta == 0 never reads C; k == 0 or alpha == 0 reads neither A
// nor B; nothing outside the m x n window of C is written. Never allocates: packing goes to the
// caller's workspace of sgemm_workspace_floats(...) floats (aligned here to 64 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/gemm/micro_kernel.hpp"
#include "kernels/gemm/packing.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/gemm/small.hpp"
#include "kernels/table.hpp"

namespace simdnn::kernels::gemm {

// One mc x kc block of op(A) against one kc x nc block of op(B) (BLIS's macro-kernel: the jr and
// ir loops): every MR x NR tile of that part of C through the micro-kernel. A is read from its
// packed panels (packed_a), else in place with its strides and only a partial last panel from
// a_pack; B from its packed panels, or in place (b_in_place) for every whole NR-wide panel.
struct macro_block {
  std::size_t mc, nc, kc;
  const float* a_block;  // op(A)(i, p) at a_block[i * a_rs + p * a_cs] when not packed
  std::size_t a_rs, a_cs;
  bool packed_a;
  const float* a_pack;
  const float* b_block;  // op(B)(p, j) at b_block[p * ldb + j] when read in place
  std::size_t ldb;
  bool b_in_place;
  const float* b_pack;
  float* c;  // the block's top-left element of C
  std::size_t ldc;
  float alpha, beta;
  // Non-null: this k block's C starts from c_start[j] (the block's first column) in every row,
  // not from C (the fused dense layer's bias, first k block only).
  const float* c_start = nullptr;
  // The block's first row and column in C, and whether it is the last k block (the epilogue's).
  std::size_t row0 = 0, col0 = 0;
  bool last = false;
};

// No epilogue: the plain SGEMM.
struct no_epilogue {
  template <std::size_t MR, std::size_t NR>
  void tile(std::size_t, std::size_t, std::size_t, std::size_t) const noexcept {}
};

template <class Arch, std::size_t MR, std::size_t NR, class Epilogue = no_epilogue>
void sgemm_macro_kernel(const macro_block& blk, const Epilogue& epilogue = {}) noexcept {
  for (std::size_t jr = 0; jr < blk.nc; jr += NR) {
    const std::size_t nr = min_size<Arch>(NR, blk.nc - jr);
    const bool b_panel_in_place = blk.b_in_place && nr == NR;
    const float* b_panel = b_panel_in_place ? blk.b_block + jr : blk.b_pack + jr * blk.kc;
    const std::size_t b_rs = b_panel_in_place ? blk.ldb : NR;
    const float* c_start = blk.c_start != nullptr ? blk.c_start + jr : nullptr;
    for (std::size_t ir = 0; ir < blk.mc; ir += MR) {
      const std::size_t mr = min_size<Arch>(MR, blk.mc - ir);
      float* c_tile = blk.c + ir * blk.ldc + jr;
      if (!blk.packed_a && mr == MR) {
        sgemm_micro_kernel<Arch, MR, NR>(blk.kc, blk.a_block + ir * blk.a_rs, blk.a_rs, blk.a_cs,
                                         b_panel, b_rs, c_tile, blk.ldc, blk.alpha, blk.beta, mr,
                                         nr, c_start);
      } else {
        const float* a_panel = blk.packed_a ? blk.a_pack + ir * blk.kc : blk.a_pack;
        sgemm_micro_kernel<Arch, MR, NR>(blk.kc, a_panel, 1, MR, b_panel, b_rs, c_tile, blk.ldc,
                                         blk.alpha, blk.beta, mr, nr, c_start);
      }
      // The tile is final and in L1: the epilogue reads it there.
      if (blk.last) epilogue.template tile<MR, NR>(blk.row0 + ir, blk.col0 + jr, mr, nr);
    }
  }
}

// 64-byte aligned start inside the caller's workspace, which may have any alignment, even an odd
// byte address (the public sgemm takes a span of bytes): moved in bytes, so no integer is turned
// back into a pointer. A template on Arch, like everything a per-ISA object emits
// (tools/check-isa-symbols.sh).
template <class Arch>
inline float* align_workspace(float* workspace) noexcept {
  auto* bytes = reinterpret_cast<std::byte*>(workspace);
  const auto misalignment = reinterpret_cast<std::uintptr_t>(bytes) % 64;
  if (misalignment != 0) bytes += 64 - misalignment;
  return reinterpret_cast<float*>(bytes);
}

// The loops with the fused dense layer's hooks (see the header comment): c_start non-null makes
// C's starting value (what beta multiplies) start[j] in every row on the first k block; the
// epilogue's tile<MR, NR>(row, col, rows, cols) runs on every tile of the last k block once it
// is stored. Both only on the packed path proper: k > 0 and alpha != 0 (else C := beta C, and
// neither hook runs).
template <class Arch, class Shape, a_packing Policy, class Epilogue>
void sgemm_blocked_with(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                        float alpha, const float* a, std::size_t lda, const float* b,
                        std::size_t ldb, float beta, float* c, std::size_t ldc, float* workspace,
                        const float* c_start, const Epilogue& epilogue) noexcept {
  constexpr std::size_t MR = Shape::mr, NR = Shape::nr, KC = Shape::kc, MC = Shape::mc,
                        NC = Shape::nc;
  constexpr std::size_t width = xsimd::batch<float, Arch>::size;
  constexpr geometry g{width, MR, NR};
  if constexpr (NR > width) {
    // A C at most one vector wide (a network's last layers, their backprop): the same loops with
    // a one-vector register tile, so B panels are not padded to NR and no lanes are wasted.
    if (narrow_tile(n, g)) {
      sgemm_blocked_with<Arch, gemm_shape<MR, width, KC, MC, NC / NR * width>, Policy>(
          trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace, c_start,
          epilogue);
      return;
    }
  }
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    sgemm_scale_c<Arch>(m, n, beta, c, ldc);
    return;
  }

  // Carve the workspace (its layout: sgemm_workspace_layout, the function that also sizes it).
  const sgemm_workspace_parts parts =
      sgemm_workspace_layout(gemm_blocking{MR, NR, KC, MC, NC}, m, n, k);
  float* const a_pack = align_workspace<Arch>(workspace);
  float* const b_pack = a_pack + parts.packed_a;

  const bool read_b_in_place = b_in_place(Policy, trans_b, m, ldb);
  // Unpacked: op(A)(i, p) sits at a_block[i * a_rs + p * a_cs].
  const std::size_t a_rs = trans_a ? 1 : lda, a_cs = trans_a ? lda : 1;
  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = min_size<Arch>(NC, n - jc);
    const bool packed_a = pack_a(Policy, nc, g);
    const std::size_t full_cols = nc / NR * NR;
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = min_size<Arch>(KC, k - pc);
      const float* b_block = trans_b ? b + jc * ldb + pc : b + pc * ldb + jc;
      if (!read_b_in_place) {
        sgemm_pack_b<Arch, NR>(trans_b, b_block, ldb, kc, nc, b_pack);
      } else if (full_cols < nc) {
        // Packed where the micro-kernel expects the last panel: b_pack + full_cols * kc.
        sgemm_pack_b<Arch, NR>(false, b_block + full_cols, ldb, kc, nc - full_cols,
                               b_pack + full_cols * kc);
      }
      for (std::size_t ic = 0; ic < m; ic += MC) {
        const std::size_t mc = min_size<Arch>(MC, m - ic);
        const float* a_block = trans_a ? a + pc * lda + ic : a + ic * lda + pc;
        const std::size_t full_rows = mc / MR * MR;
        if (packed_a) {
          sgemm_pack_a<Arch, MR>(trans_a, a_block, lda, mc, kc, a_pack);
        } else if (full_rows < mc) {
          // The partial last panel is copied (zero-padded) so no row past m is read.
          const float* tail = trans_a ? a_block + full_rows : a_block + full_rows * lda;
          sgemm_pack_a<Arch, MR>(trans_a, tail, lda, mc - full_rows, kc, a_pack);
        }
        // Only the first k block applies the caller's beta (to c_start's row when given); later
        // ones accumulate.
        sgemm_macro_kernel<Arch, MR, NR>(
            macro_block{.mc = mc,
                        .nc = nc,
                        .kc = kc,
                        .a_block = a_block,
                        .a_rs = a_rs,
                        .a_cs = a_cs,
                        .packed_a = packed_a,
                        .a_pack = a_pack,
                        .b_block = b_block,
                        .ldb = ldb,
                        .b_in_place = read_b_in_place,
                        .b_pack = b_pack,
                        .c = c + ic * ldc + jc,
                        .ldc = ldc,
                        .alpha = alpha,
                        .beta = pc == 0 ? beta : 1.0f,
                        .c_start = pc == 0 && c_start != nullptr ? c_start + jc : nullptr,
                        .row0 = ic,
                        .col0 = jc,
                        .last = pc + kc == k},
            epilogue);
      }
    }
  }
}

template <class Arch, class Shape, a_packing Policy = a_packing::automatic>
void sgemm_blocked(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                   float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                   float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  sgemm_blocked_with<Arch, Shape, Policy>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                          ldc, workspace, nullptr, no_epilogue{});
}

}  // namespace simdnn::kernels::gemm
