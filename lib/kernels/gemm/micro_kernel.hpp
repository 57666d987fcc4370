// lib/kernels/gemm/micro_kernel.hpp — the register micro-kernel of the blocked SGEMM, and the
// compile-time blocking it is unrolled for.
//
// One MR x NR tile of C accumulates kc rank-1 updates in registers, from packed panels or from A
// and B read in place (a row stride for each), then goes through the one store to C
// (lib/kernels/gemm/store.hpp). Each element is one fma chain from +0 in increasing k: the
// documented order of operations (lib/kernels/table.hpp), whatever MR and NR are. Never
// allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/gemm/store.hpp"

namespace simdnn::kernels::gemm {

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
// and Bp a kc x NR block whose element (p, j) is bp[p * b_rs + j] — a packed panel (b_rs = NR)
// or B itself (b_rs = ldb). beta == 0: C is only written. Only the top-left rows x cols of the
// tile are stored (edge tiles; the packed panels are zero-padded, so the rest of the
// accumulators is simply dropped). c_start non-null (a fused dense layer's first k block,
// lib/kernels/gemm/epilogue.hpp): beta multiplies c_start[j] in every row of the tile instead of
// C's own value (the bias; it must not overlap C), the same fma.
template <class Arch, std::size_t MR, std::size_t NR>
[[gnu::always_inline]] inline void sgemm_micro_kernel(
    std::size_t kc, const float* __restrict ap, std::size_t a_rs, std::size_t a_cs,
    const float* __restrict bp, std::size_t b_rs, float* __restrict c, std::size_t ldc, float alpha,
    float beta, std::size_t rows, std::size_t cols,
    const float* __restrict c_start = nullptr) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t vectors = NR / width;
  static_assert(NR % width == 0, "NR must be a multiple of the vector width");

  // C is needed only after the k loop: ask for its lines now (both ends of each row, which may
  // straddle two lines), so a tile of a C larger than the caches does not wait on memory at the
  // end. Short loops would not hide the latency and the tiny-shape path runs mostly in L1.
  if (prefetch_c(kc)) {
#pragma GCC unroll 32
    for (std::size_t i = 0; i < MR; ++i) {
      __builtin_prefetch(c + i * ldc, 1, 3);
      __builtin_prefetch(c + i * ldc + NR - 1, 1, 3);
    }
  }
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
    for (std::size_t v = 0; v < vectors; ++v) b[v] = fbatch::load_unaligned(bp + v * width);
#pragma GCC unroll 32
    for (std::size_t i = 0; i < MR; ++i) {
      const fbatch a(ap[i * a_rs]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < vectors; ++v)
        acc[i][v] = fused_multiply_add<Arch>(a, b[v], acc[i][v]);
    }
    ap += a_cs;
    bp += b_rs;
  }

  const fbatch alpha_v(alpha), beta_v(beta);
  // A whole tile with beta and C's source decided once for all its stores (beta == 0: C may hold
  // NaN or Inf, never read it).
  auto store_whole = [&](auto beta_zero, auto from_start) __attribute__((always_inline)) {
#pragma GCC unroll 32
    for (std::size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
      for (std::size_t v = 0; v < vectors; ++v) {
        float* dst = c + i * ldc + v * width;
        const float* src = decltype(from_start)::value ? c_start + v * width : dst;
        store_c<Arch, decltype(beta_zero)::value, true>(acc[i][v] * alpha_v, src, dst, width,
                                                        beta_v);
      }
    }
  };
  if (rows == MR && cols == NR) {
    if (beta == 0.0f) {
      store_whole(std::true_type{}, std::false_type{});
    } else if (c_start == nullptr) {
      store_whole(std::false_type{}, std::false_type{});
    } else {
      store_whole(std::false_type{}, std::true_type{});
    }
    return;
  }
  // Edge tile: whole vectors where they fit, one partial vector for the last columns.
#pragma GCC unroll 32
  for (std::size_t i = 0; i < MR; ++i) {
    if (i >= rows) break;
#pragma GCC unroll 8
    for (std::size_t v = 0; v < vectors; ++v) {
      const std::size_t first = v * width;
      if (first >= cols) break;
      const std::size_t count = cols - first < width ? cols - first : width;
      float* dst = c + i * ldc + first;
      store_c<Arch>(acc[i][v] * alpha_v, c_start != nullptr ? c_start + first : dst, dst, count,
                    beta, beta_v);
    }
  }
}

}  // namespace simdnn::kernels::gemm
