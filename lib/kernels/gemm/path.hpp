// lib/kernels/gemm/path.hpp — which SGEMM loop runs, decided in one place with every threshold.
//
// The loops (lib/kernels/gemm/*.hpp) only execute a plan; every choice between them is made here,
// by plain constexpr functions with no xsimd, so tests include this header and check the choices
// shape by shape (tests/kernels/sgemm_test.cpp, GemmPath). The choices depend on the vector width
// and the register tile, i.e. on the ISA: they are tuning. They never change a result: every loop
// computes each element in the one documented order (lib/kernels/table.hpp, kReproducibleKc),
// except the single-row path, whose own order is chosen here by the ISA-independent rule below.
#pragma once

#include <cstddef>

namespace simdnn::kernels::gemm {

// What the choices need to know about an ISA: its vector width in floats and its register tile.
struct geometry {
  std::size_t width, mr, nr;
};

// ---- Thresholds (each with the measurement or the reason behind it) ----

// Tiny products skip packing: at most 64^3 multiply-adds with op(A) and op(B) together within
// 32 KiB (8192 floats, an L1D), where a packing pass cannot pay for itself.
inline constexpr std::size_t kSmallMaxWork = std::size_t{64} * 64 * 64;
inline constexpr std::size_t kSmallMaxOperandFloats = 8192;
// Narrow C (n <= kNoPackMaxPanels * NR, every layer of a small network) reads A in place: packing
// pays off only when a packed panel of A is reused across many panels of B (BLIS's "sup" idea).
inline constexpr std::size_t kNoPackMaxPanels = 4;
// C with few rows (a training batch) reads B in place: too few row tiles reuse a packed panel to
// pay for a packing pass that cannot overlap the FMAs. Not when B's row stride is a multiple of
// 2 KiB: a panel's kc lines then crowd into at most 32 of the L2's 1024 sets and the later row
// tiles miss. Measured on Zen 3 against packing (medians of 15, alternated): 32x784x256 1.13x,
// 32x256x128 1.17x, 64x784x256 1.09x, 96x784x256 1.02x, 128x1024x1024 0.76x, 32x1024x1024
// 0.95x, 32x1000x1000 0.99x.
inline constexpr std::size_t kInPlaceBMaxRows = 64;
inline constexpr std::size_t kInPlaceBConflictStride = 512;  // floats: 2 KiB
// The micro-kernel prefetches its C tile only when the k loop is at least this long: shorter
// loops would not hide the latency, and the tiny-shape path runs mostly in L1.
inline constexpr std::size_t kPrefetchCMinDepth = 64;
// B held in registers: depth up to 10 with C one vector wide, up to 5 with two vectors (B's
// K x NV vectors + 2 NV accumulators and loads + 3 must fit 16 registers).
inline constexpr std::size_t kRegisterBDepthOneVector = 10;
inline constexpr std::size_t kRegisterBDepthTwoVectors = 5;
// op(A)'s row is gathered into the workspace for the single-row path when strided (op(A) = A^T),
// up to this depth (every ISA's workspace holds it: static_assert in lib/arch/instantiate.hpp).
// A constant, not a multiple of the ISA's blocking, so the path (and with it the order of the
// single-row sums) never depends on the ISA.
inline constexpr std::size_t kSingleRowMaxGather = 2048;

// ---- The choices ----

// The loop family for one call of the kernel table's sgemm (arguments already validated).
enum class path : unsigned char {
  nothing,     // m == 0 or n == 0: nothing is read or written
  scale_c,     // k == 0 or alpha == 0: C := beta C, A and B never read
  small,       // no packing (lib/kernels/gemm/small.hpp)
  single_row,  // one row of C times B^T: dot products along k (lib/kernels/gemm/single_row.hpp)
  blocked,     // the packed BLIS loops (lib/kernels/gemm/blocked.hpp)
};

[[nodiscard]] constexpr bool small_fits(std::size_t m, std::size_t n, std::size_t k) noexcept {
  // Each factor is bounded first, so the products cannot overflow.
  if (m > kSmallMaxWork || n > kSmallMaxWork || k > kSmallMaxOperandFloats) return false;
  return m * n * k <= kSmallMaxWork && (m + n) * k <= kSmallMaxOperandFloats;
}

// The automatic choice. A single row of C: op(B) = B streams B's rows (small), op(B) = B^T takes
// dot products (single_row) unless a strided op(A) is too long to gather (then blocked).
[[nodiscard]] constexpr path choose_path(bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                                         std::size_t k, bool alpha_is_zero) noexcept {
  if (m == 0 || n == 0) return path::nothing;
  if (k == 0 || alpha_is_zero) return path::scale_c;
  if (m == 1) {
    if (!trans_b) return path::small;
    return !trans_a || k <= kSingleRowMaxGather ? path::single_row : path::blocked;
  }
  return small_fits(m, n, k) ? path::small : path::blocked;
}

// The small path's loop for one k block of op(B) = B with n > 1 (k <= KC; k == 0 never gets here).
enum class small_loop : unsigned char {
  outer_product,     // k == 1, m > 1: stores bound it
  b_in_registers_1,  // C one vector wide, small depth: all of B in registers
  b_in_registers_2,  // C two vectors wide, smaller depth
  row_tiles,         // MR-row tiles of 2 (or 1) vectors
  one_row,           // m == 1: panels of 4 vectors
};

[[nodiscard]] constexpr small_loop choose_small_loop(std::size_t m, std::size_t n, std::size_t k,
                                                     const geometry& g) noexcept {
  // A single row takes the one-row order in every loop it can reach (two chains, even and odd
  // p), so the width-dependent choice between B in registers and the tiles cannot change it.
  if (k == 1) return m == 1 ? small_loop::one_row : small_loop::outer_product;
  if (n <= g.width && k <= kRegisterBDepthOneVector) return small_loop::b_in_registers_1;
  if (n <= 2 * g.width && k <= kRegisterBDepthTwoVectors) return small_loop::b_in_registers_2;
  return m == 1 ? small_loop::one_row : small_loop::row_tiles;
}

// n == 1 in the small path: op(A) = A^T with contiguous C is one row of C^T times A, vectorized
// across C's rows; otherwise scalar dot products.
[[nodiscard]] constexpr bool column_across_rows(bool trans_a, std::size_t m,
                                                std::size_t ldc) noexcept {
  return trans_a && ldc == 1 && m > 1;
}

// Whether the blocked loops pack A. `forced` tests both forms at any shape.
enum class a_packing : unsigned char { automatic, always, never };

[[nodiscard]] constexpr bool pack_a(a_packing policy, std::size_t block_columns,
                                    const geometry& g) noexcept {
  return policy == a_packing::always ||
         (policy == a_packing::automatic && block_columns > kNoPackMaxPanels * g.nr);
}

// Whether the blocked loops read B in place (only partial panels are then packed).
[[nodiscard]] constexpr bool b_in_place(a_packing policy, bool trans_b, std::size_t m,
                                        std::size_t ldb) noexcept {
  return policy == a_packing::automatic && !trans_b && m <= kInPlaceBMaxRows &&
         ldb % kInPlaceBConflictStride != 0;
}

// A C at most one vector wide runs the blocked loops with a one-vector register tile, so B's
// panels are not padded to NR (a network's last layers and their backprop).
[[nodiscard]] constexpr bool narrow_tile(std::size_t n, const geometry& g) noexcept {
  return g.nr > g.width && n <= g.width;
}

[[nodiscard]] constexpr bool prefetch_c(std::size_t kc) noexcept {
  return kc >= kPrefetchCMinDepth;
}

}  // namespace simdnn::kernels::gemm
