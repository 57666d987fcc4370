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
// store. Narrow C reads A in place (kNoPackMaxPanels), C with few rows reads B in place
// (sgemm_b_in_place): the micro-kernel takes a row stride for each.
//
// Tiny products (sgemm_small_fits: operands within L1) and a single row of C times B take
// sgemm_small (lib/kernels/sgemm_small.hpp) instead: no packing, B streamed in place; the
// choice is made by sgemm_dispatch, the kernel table's entry.
//
// Order of operations (the cross-ISA reproducibility contract, README "Reproducibility"): each
// element of C is computed the same way on every FMA ISA, whatever the tile shape, the path or
// the thread split: k in blocks of KC = kReproducibleKc from p = 0; per block one chain
// acc = fma(op(A)(i, p), op(B)(p, j), acc) from acc = +0 in increasing p; t = acc * alpha; the
// first block stores t (beta == 0) or fma(beta, C, t), later blocks C + t. The one exception is
// a single row of C times B^T with op(A) = A or k <= kSingleRowMaxGather (sgemm_single_row): 16
// lane sums folded in a fixed tree, again the same on every FMA ISA. Every fma is
// fused_multiply_add (lib/kernels/fma.hpp), one rounding. Not promised: which NaN's payload
// comes out when two different NaNs meet in one operation (x86 keeps the first operand's, and
// the compiler orders commutative operands per ISA); the result is NaN on every ISA.
//
// Contract (see simdnn/sgemm.hpp): beta == 0 never reads C; k == 0 or alpha == 0 reads neither A
// nor B; nothing outside the m x n window of C is written. Never allocates: packing goes to the
// caller's workspace of sgemm_workspace_floats(...) floats (aligned here to 64 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/partial.hpp"
#include "kernels/sgemm_small.hpp"
#include "kernels/table.hpp"
#include "kernels/transpose.hpp"

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

// The micro-kernel prefetches its C tile only when the k loop is at least this long.
inline constexpr std::size_t kPrefetchCMinDepth = 64;

// The register micro-kernel: C(MR x NR, row stride ldc) := alpha * Ap * Bp + beta * C, with Ap
// an MR x kc block whose element (i, p) is ap[i * a_rs + p * a_cs] — a packed panel (a_rs = 1,
// a_cs = MR) or A itself (row-major: a_rs = lda, a_cs = 1; transposed: a_rs = 1, a_cs = lda) —
// and Bp a kc x NR block whose element (p, j) is bp[p * b_rs + j] — a packed panel (b_rs = NR)
// or B itself (b_rs = ldb). beta == 0: C is only written. Only the top-left rows x cols of the
// tile are stored (edge tiles; the packed panels are zero-padded, so the rest of the
// accumulators is simply dropped).
template <class Arch, std::size_t MR, std::size_t NR>
[[gnu::always_inline]] inline void sgemm_micro_kernel(std::size_t kc, const float* __restrict ap,
                                                      std::size_t a_rs, std::size_t a_cs,
                                                      const float* __restrict bp,
                                                      std::size_t b_rs, float* __restrict c,
                                                      std::size_t ldc,
                                                      float alpha, float beta, std::size_t rows,
                                                      std::size_t cols) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t vectors = NR / width;
  static_assert(NR % width == 0, "NR must be a multiple of the vector width");

  // C is needed only after the k loop: ask for its lines now (both ends of each row, which may
  // straddle two lines), so a tile of a C larger than the caches does not wait on memory at the
  // end. Short loops would not hide the latency and the tiny-shape path runs mostly in L1.
  if (kc >= kPrefetchCMinDepth) {
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
      for (std::size_t v = 0; v < vectors; ++v) acc[i][v] = fused_multiply_add<Arch>(a, b[v], acc[i][v]);
    }
    ap += a_cs;
    bp += b_rs;
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
          fused_multiply_add<Arch>(beta_v, fbatch::load_unaligned(cij), acc[i][v] * alpha_v).store_unaligned(cij);
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
        if (beta != 0.0f) result = fused_multiply_add<Arch>(beta_v, fbatch::load_unaligned(cij), result);
        result.store_unaligned(cij);
      } else {
        const std::size_t count = cols - first;
        if (beta != 0.0f) result = fused_multiply_add<Arch>(beta_v, load_partial<Arch>(cij, count), result);
        store_partial<Arch>(result, cij, count);
      }
    }
  }
}

// Packing, as BLIS does it: panels P wide (MR for A, NR for B) and depth long, panel q holding
// columns q*P .. q*P+P-1 row by row at dst + q * P * depth, columns past `cols` zero. The source
// is one of two layouts, and op(A) and op(B) are mirror images: A not transposed and B transposed
// are stored line by line along the depth (sgemm_pack_lines), A transposed and B not transposed
// row by row across the panels (sgemm_pack_rows).

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

// The sum of 16 lane sums s[0..15] in one fixed tree, the same on every ISA: fold the upper half
// onto the lower one (s[l] + s[l + 8]), then again (+4), (+2), (+1).
[[gnu::always_inline]] inline float sgemm_fold_dot_lanes(const float (&s)[kDotLanes]) noexcept {
  float t[8];
#pragma GCC unroll 8
  for (std::size_t l = 0; l < 8; ++l) t[l] = s[l] + s[l + 8];
  float u[4];
#pragma GCC unroll 4
  for (std::size_t l = 0; l < 4; ++l) u[l] = t[l] + t[l + 4];
  const float v0 = u[0] + u[2], v1 = u[1] + u[3];
  return v0 + v1;
}

// The 16 lane sums of one row's accumulators, folded (sgemm_fold_dot_lanes' tree) to a float.
// AVX-512 and AVX2 do the same adds in vector registers; SSE2 through memory.
template <class Arch, std::size_t L>
[[gnu::always_inline]] inline float sgemm_reduce_dot(
    const xsimd::batch<float, Arch> (&acc)[L]) noexcept {
  if constexpr (std::is_same_v<Arch, xsimd::avx512f> || std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    __m256 eight;  // lane l: s[l] + s[l + 8]
    if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
      const __m512 all = acc[0];
      // The upper 256 bits through the pd form: the ps extract needs AVX512DQ.
      const __m256 upper = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(all), 1));
      eight = _mm256_add_ps(_mm512_castps512_ps256(all), upper);
    } else {
      eight = _mm256_add_ps(acc[0], acc[1]);
    }
    const __m128 four = _mm_add_ps(_mm256_castps256_ps128(eight), _mm256_extractf128_ps(eight, 1));
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));          // u0+u2, u1+u3
    const __m128 one = _mm_add_ss(two, _mm_shuffle_ps(two, two, 0x55));      // v0 + v1
    return _mm_cvtss_f32(one);
  } else {
    constexpr std::size_t width = xsimd::batch<float, Arch>::size;
    alignas(64) float lanes[kDotLanes];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < L; ++v) acc[v].store_aligned(lanes + v * width);
    return sgemm_fold_dot_lanes(lanes);
  }
}

// C is a single row (one sample through a layer) and op(B) = B^T: c_j = dot(a, row j of B),
// vectorized along k in kDotLanes lanes (see above), `group` rows of B at a time (independent
// FMA chains), each row's lanes folded in the fixed tree. The last partial block of k is loaded
// partially (with zero lanes where k ends, on every ISA alike), so nothing past a row of B is
// read. `a_row` points at op(A)'s single row with element stride a_stride; `scratch` holds k
// floats (used when that stride is not 1). (op(B) = B streams B's rows in sgemm_small.)
template <class Arch>
inline void sgemm_single_row(std::size_t n, std::size_t k, float alpha, const float* a_row,
                             std::size_t a_stride, const float* b, std::size_t ldb, float beta,
                             float* c, float* scratch) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t L = kDotLanes / width;  // vectors per row's accumulator
  constexpr std::size_t group = 8 / L;          // rows at a time: 8 accumulator vectors
  static_assert(kDotLanes % width == 0 && group >= 1, "16 lanes in whole vectors");
  // Dot products along k need op(A)'s row contiguous.
  const float* a_contiguous = a_row;
  if (a_stride != 1) {
    for (std::size_t p = 0; p < k; ++p) scratch[p] = a_row[p * a_stride];
    a_contiguous = scratch;
  }
  const std::size_t k_whole = k / kDotLanes * kDotLanes, k_tail = k - k_whole;
  // Lanes of vector v of the last block that hold data (the rest load as zero).
  std::size_t tail_count[L];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < L; ++v) {
    const std::size_t first = v * width;
    tail_count[v] = k_tail <= first ? 0 : (k_tail - first < width ? k_tail - first : width);
  }
  for (std::size_t j = 0; j < n; j += group) {
    const std::size_t rows = n - j < group ? n - j : group;
    const float* bj = b + j * ldb;
    fbatch acc[group][L];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < group; ++r) {
#pragma GCC unroll 4
      for (std::size_t v = 0; v < L; ++v) acc[r][v] = fbatch(0.0f);
    }
    for (std::size_t p = 0; p < k_whole; p += kDotLanes) {
      fbatch av[L];
#pragma GCC unroll 4
      for (std::size_t v = 0; v < L; ++v) av[v] = fbatch::load_unaligned(a_contiguous + p + v * width);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < group; ++r) {
        if (r < rows) {
#pragma GCC unroll 4
          for (std::size_t v = 0; v < L; ++v) {
            acc[r][v] = fused_multiply_add<Arch>(
                av[v], fbatch::load_unaligned(bj + r * ldb + p + v * width), acc[r][v]);
          }
        }
      }
    }
    if (k_tail != 0) {
      // A vector past the end of k still takes its fma(0, 0, acc), as the lanes past k of a wider
      // vector do (it turns an accumulator of -0 into +0): skipping it would change a zero's sign
      // on one ISA only. Its load touches no memory; the pointer stays inside the row.
      fbatch av[L];
#pragma GCC unroll 4
      for (std::size_t v = 0; v < L; ++v) {
        const std::size_t at = tail_count[v] != 0 ? k_whole + v * width : 0;
        av[v] = load_partial<Arch>(a_contiguous + at, tail_count[v]);
      }
#pragma GCC unroll 8
      for (std::size_t r = 0; r < group; ++r) {
        if (r < rows) {
#pragma GCC unroll 4
          for (std::size_t v = 0; v < L; ++v) {
            const std::size_t at = tail_count[v] != 0 ? k_whole + v * width : 0;
            const fbatch bv = load_partial<Arch>(bj + r * ldb + at, tail_count[v]);
            acc[r][v] = fused_multiply_add<Arch>(av[v], bv, acc[r][v]);
          }
        }
      }
    }
#pragma GCC unroll 8
    for (std::size_t r = 0; r < group; ++r) {
      if (r < rows) {
        // beta == 0: C may hold NaN, never read it.
        const float scaled = sgemm_reduce_dot<Arch, L>(acc[r]) * alpha;
        c[j + r] = beta == 0.0f ? scaled : fused_multiply_add<Arch>(beta, c[j + r], scaled);
      }
    }
  }
}

// Whether A is packed. Packing costs one pass over A per k block and pays off when the packed
// panels are reused across many NR-wide panels of B; for narrow C (n <= kNoPackMaxPanels * NR,
// e.g. every layer of a small network) the micro-kernel reads A in place (BLIS's "sup" idea),
// and only a partial last row panel is copied, so no row past m is ever read.
enum class a_packing : unsigned char { automatic, always, never };
inline constexpr std::size_t kNoPackMaxPanels = 4;

// Whether B (not transposed) is read in place. A packed B panel is reused by every row tile of
// C; with few rows (a training batch of 32 or 64) there are too few reuses to pay for a packing
// pass that cannot overlap the arithmetic, while in place the loads of B run under the FMAs.
// But a panel read in place is kc lines ldb floats apart, and when that stride is a multiple of
// 2 KiB those lines crowd into at most 32 of the L2's 1024 sets (256 lines < kc), so the later
// row tiles miss: such B is packed. Only a partial last panel is copied (zero-padded), so no
// column past n is read. Measured on Zen 3 against packing (medians of 15, alternated):
// 32x784x256 1.13x, 32x256x128 1.17x, 64x784x256 1.09x, 96x784x256 1.02x, 128x1024x1024 0.76x,
// 32x1024x1024 0.95x, 32x1000x1000 0.99x.
inline constexpr std::size_t kInPlaceBMaxRows = 64;
inline constexpr std::size_t kInPlaceBConflictStride = 512;  // floats: 2 KiB

inline bool sgemm_b_in_place(bool trans_b, std::size_t m, std::size_t ldb) noexcept {
  return !trans_b && m <= kInPlaceBMaxRows && ldb % kInPlaceBConflictStride != 0;
}

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
  // m == 1 with op(B) = B goes to sgemm_small (sgemm_dispatch). The gather of a strided A row needs
  // k floats of workspace.
  if (Policy == a_packing::automatic && m == 1 && trans_b && (!trans_a || k <= kSingleRowMaxGather)) {
    // op(A)(0, p) is a[p] or, transposed, a[p * lda].
    sgemm_single_row<Arch>(n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c, workspace);
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

  const bool b_in_place = Policy == a_packing::automatic && sgemm_b_in_place(trans_b, m, ldb);
  for (std::size_t jc = 0; jc < n; jc += NC) {
    const std::size_t nc = min_size<Arch>(NC, n - jc);
    const bool pack_a = Policy == a_packing::always ||
                        (Policy == a_packing::automatic && nc > kNoPackMaxPanels * NR);
    const std::size_t full_cols = nc / NR * NR;
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = min_size<Arch>(KC, k - pc);
      const float* b_block = trans_b ? b + jc * ldb + pc : b + pc * ldb + jc;
      if (!b_in_place) {
        sgemm_pack_b<Arch, NR>(trans_b, b_block, ldb, kc, nc, b_pack);
      } else if (full_cols < nc) {
        // Packed where the micro-kernel expects the last panel: b_pack + full_cols * kc.
        sgemm_pack_b<Arch, NR>(false, b_block + full_cols, ldb, kc, nc - full_cols,
                               b_pack + full_cols * kc);
      }
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
          const bool b_panel_in_place = b_in_place && nr == NR;
          const float* b_panel = b_panel_in_place ? b_block + jr : b_pack + jr * kc;
          const std::size_t b_rs = b_panel_in_place ? ldb : NR;
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const std::size_t mr = min_size<Arch>(MR, mc - ir);
            float* c_tile = c + (ic + ir) * ldc + jc + jr;
            const bool in_place = !pack_a && mr == MR;
            const float* a_panel = pack_a ? a_pack + ir * kc
                                   : in_place ? a_block + ir * a_rs
                                              : a_pack;
            if (in_place) {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, a_rs, a_cs, b_panel, b_rs, c_tile,
                                               ldc, alpha, beta_block, mr, nr);
            } else {
              sgemm_micro_kernel<Arch, MR, NR>(kc, a_panel, 1, MR, b_panel, b_rs, c_tile, ldc,
                                               alpha, beta_block, mr, nr);
            }
          }
        }
      }
    }
  }
}

// The kernel table's sgemm (same arguments and contract as sgemm_blocked): tiny products
// (sgemm_small_fits) and a single row of C times B go to sgemm_small without packing, the rest
// to the blocked loops. A separate function so a tiny call does not pay sgemm_blocked's prologue
// (it saves and aligns a large frame).
template <class Arch, class Shape>
void sgemm_dispatch(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                    float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
                    float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  if (m == 1 ? !trans_b : sgemm_small_fits<Arch>(m, n, k)) {
    if (!trans_b && n > 1 && m != 0 && k != 0 && alpha != 0.0f) {
      // The common case straight to its loops: a one-sample call is a few dozen cycles.
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
  }
  sgemm_blocked<Arch, Shape, a_packing::automatic>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
                                                   beta, c, ldc, workspace);
}

}  // namespace simdnn::kernels
