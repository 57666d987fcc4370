// lib/kernels/gemm/single_row.hpp — one row of C times B^T (one sample through a layer's
// backprop, or op(B) = B^T at batch 1): dot products along k instead of the rank-1 tiles.
//
// Order of operations, the one exception to the blocked order (lib/kernels/table.hpp) and the
// same on every FMA ISA: kDotLanes (16) lane sums, lane l taking p = l, l + 16, ... in one fma
// chain from +0 (lanes past k take fma(0, 0, s)), folded as (l, l + 8), then +4, +2, +1; then
// times alpha and the one store to C. Never allocates: a strided op(A) row is gathered into the
// caller's scratch (up to kSingleRowMaxGather floats, lib/kernels/gemm/path.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/fma.hpp"
#include "kernels/gemm/store.hpp"
#include "kernels/partial.hpp"
#include "kernels/table.hpp"

namespace simdnn::kernels::gemm {

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
  if constexpr (std::is_same_v<Arch, xsimd::avx512f> ||
                std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
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
    const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));      // u0+u2, u1+u3
    const __m128 one = _mm_add_ss(two, _mm_shuffle_ps(two, two, 0x55));  // v0 + v1
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
      for (std::size_t v = 0; v < L; ++v)
        av[v] = fbatch::load_unaligned(a_contiguous + p + v * width);
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
        store_c<Arch>(sgemm_reduce_dot<Arch, L>(acc[r]) * alpha, c + j + r, beta);
      }
    }
  }
}

}  // namespace simdnn::kernels::gemm
