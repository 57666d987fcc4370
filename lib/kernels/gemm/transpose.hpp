// lib/kernels/transpose.hpp — the copy-with-transposition that GEMM packing needs.
//
//   dst[p * dst_stride + j] = src[j * ld + p]   for j < lines, p < depth
//   dst[p * dst_stride + j] = 0                 for lines <= j < dst_stride, p < depth
//
// `lines` source lines, each contiguous along depth (rows of A for an MR-tall panel, rows of B
// stored transposed for an NR-wide panel), become the columns of a depth x dst_stride panel.
// Copied in T x T blocks transposed in registers (T = 8 with 256-bit registers on AVX2 and
// AVX-512, 4 on SSE2), so each source line is read T floats at a time and each panel row written
// whole, instead of one float per load and store with a stride between the stores.
//
// Contract: lines <= dst_stride. Reads only the source elements named above (never past a line's
// depth); writes exactly dst[0, depth * dst_stride). dst must not overlap src. Exact (a copy).
// Never allocates.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace simdnn::kernels {

// One T x T block of floats in T registers. Wide = the 256-bit form, used by the AVX2 and
// AVX-512 files (both are built with -mavx2). Templates on Arch, so their members are compiled
// only in the file of an ISA that uses them: the SSE2 file never meets an AVX intrinsic.
template <bool Wide, class Arch>
struct transpose_unit;

template <class Arch>
struct transpose_unit<true, Arch> {
  using vec = __m256;
  static constexpr std::size_t size = 8;
  static vec zero() noexcept { return _mm256_setzero_ps(); }
  static vec load(const float* src) noexcept { return _mm256_loadu_ps(src); }
  static void store(float* dst, vec v) noexcept { _mm256_storeu_ps(dst, v); }
  // Rows r[0..7] become columns: interleave pairs of rows, then pairs of pairs within each
  // 128-bit half, then swap halves across registers.
  static void transpose(vec (&r)[size]) noexcept {
    const vec t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const vec t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const vec t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const vec t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const vec u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const vec u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const vec u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const vec u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
  }
};

template <class Arch>
struct transpose_unit<false, Arch> {
  using vec = __m128;
  static constexpr std::size_t size = 4;
  static vec zero() noexcept { return _mm_setzero_ps(); }
  static vec load(const float* src) noexcept { return _mm_loadu_ps(src); }
  static void store(float* dst, vec v) noexcept { _mm_storeu_ps(dst, v); }
  static void transpose(vec (&r)[size]) noexcept { _MM_TRANSPOSE4_PS(r[0], r[1], r[2], r[3]); }
};

template <class Arch>
inline constexpr bool kWideTranspose =
    std::is_same_v<Arch, xsimd::avx512f> || std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>;

template <class Arch>
inline void copy_transposed(const float* src, std::size_t ld, std::size_t lines, std::size_t depth,
                            float* __restrict dst, std::size_t dst_stride) noexcept {
  using unit = transpose_unit<kWideTranspose<Arch>, Arch>;
  using vec = typename unit::vec;
  constexpr std::size_t T = unit::size;
  const std::size_t depth_whole = depth / T * T;
  const std::size_t blocks = (dst_stride + T - 1) / T;
  // Two T x T blocks per line visit: 2T floats are a whole 64-byte cache line on AVX2, and lines
  // a multiple of 4 KiB apart share an L1 set, so a line left half read may be gone on return.
  auto copy_blocks = [&](auto steps, std::size_t p0) {
    constexpr std::size_t S = decltype(steps)::value;
    // A last block narrower than T (an MR = 6 panel) is stored whole: each row's extra lanes
    // spill into the start of the next panel row. Blocks go right to left, so the block that
    // owns those columns is stored after the spill and overwrites it; the last row's spill lands
    // on rows written later, except at the end of the panel, where it is cut.
    for (std::size_t block = blocks; block-- > 0;) {
      const std::size_t j0 = block * T;
      vec r[S][T];
#pragma GCC unroll 8
      for (std::size_t q = 0; q < T; ++q) {
#pragma GCC unroll 2
        for (std::size_t step = 0; step < S; ++step) {
          r[step][q] =
              j0 + q < lines ? unit::load(src + (j0 + q) * ld + p0 + step * T) : unit::zero();
        }
      }
      const std::size_t cols = dst_stride - j0 < T ? dst_stride - j0 : T;
#pragma GCC unroll 2
      for (std::size_t step = 0; step < S; ++step) {
        unit::transpose(r[step]);
        float* out = dst + (p0 + step * T) * dst_stride + j0;
#pragma GCC unroll 8
        for (std::size_t q = 0; q + 1 < T; ++q) unit::store(out + q * dst_stride, r[step][q]);
        float* last = out + (T - 1) * dst_stride;
        if (cols == T || p0 + (step + 1) * T < depth) {
          unit::store(last, r[step][T - 1]);
        } else {
          alignas(32) float lanes[T];
          unit::store(lanes, r[step][T - 1]);
          for (std::size_t j = 0; j < cols; ++j) last[j] = lanes[j];
        }
      }
    }
  };
  std::size_t p0 = 0;
  for (; p0 + 2 * T <= depth_whole; p0 += 2 * T) {
    copy_blocks(std::integral_constant<std::size_t, 2>{}, p0);
  }
  if (p0 < depth_whole) copy_blocks(std::integral_constant<std::size_t, 1>{}, p0);
  for (std::size_t p = depth_whole; p < depth; ++p) {
    float* out = dst + p * dst_stride;
    for (std::size_t j = 0; j < lines; ++j) out[j] = src[j * ld + p];
    for (std::size_t j = lines; j < dst_stride; ++j) out[j] = 0.0f;
  }
}

}  // namespace simdnn::kernels
