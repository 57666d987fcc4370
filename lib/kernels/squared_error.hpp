// lib/kernels/squared_error.hpp — the squared error's sum and output deltas in one pass.
//
// squared_error<Arch>(y, t, n, delta, scale, sigmoid_output):
//   returns sum over i < n of (double(y[i]) - double(t[i]))^2, in double, in eight interleaved
//   partial sums: partial l adds the terms i = l, l + 8, l + 16, ... in increasing i from +0 (no
//   fma: a product, then an add), and the result is 0 + partial 0 + partial 1 + ... + partial 7
//   in that order. The network's one order for this loss (lib/nn/losses.cpp, docs/
//   reproducibility.md), so loss() and train_batch() agree bitwise; IEEE double operations in a
//   fixed order, so the sum is bitwise the same on every ISA, SSE2 included.
//   With `delta` non-null it also writes delta[i] = scale * (y[i] - t[i]) in float, times
//   sigmoid_slope(y[i]) (y (1 - y), sigmoid_delta's factor) when `sigmoid_output`: bit for bit
//   what the loss's delta followed by sigmoid_delta<Arch> would write.
// Preconditions: t finite (the network checks the targets); y may hold inf or NaN (a diverged
// network's outputs): the sum then takes them through the same operations in the same order.
// Any alignment; delta may alias neither. Never allocates.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"

namespace simdnn::kernels {

// The eight partial sums, in the registers each ISA has: two vectors of four doubles on AVX2 and
// on AVX-512 (whose 16 floats per vector are two rounds of eight), four of two on SSE2.
// add_round: partial l += (y[l] - t[l])^2 for one round of eight terms; total: 0 + partial 0 +
// ... + partial 7. Terms past a partial round are 0 - 0 and add +0 to a sum that is never -0.
template <class Arch>
struct squared_error_lanes_avx {
  __m256d partial[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()};

  void add_round(const float* y, const float* t) noexcept {
    for (std::size_t h = 0; h < 2; ++h) {
      const __m256d e = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(y + 4 * h)),
                                      _mm256_cvtps_pd(_mm_loadu_ps(t + 4 * h)));
      partial[h] = _mm256_add_pd(partial[h], _mm256_mul_pd(e, e));
    }
  }
  [[nodiscard]] double total() const noexcept {
    alignas(32) double lanes[8];
    _mm256_store_pd(lanes, partial[0]);
    _mm256_store_pd(lanes + 4, partial[1]);
    double sum = 0.0;
    for (double lane : lanes) sum += lane;
    return sum;
  }
};

template <class Arch>
struct squared_error_lanes_sse {
  __m128d partial[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};

  void add_round(const float* y, const float* t) noexcept {
    // Four floats per (unaligned) load, widened two at a time: low pair to partial 2h, high
    // pair to partial 2h + 1. (Not _mm_load_sd on the floats: GCC defines it as a double
    // dereference, which needs 8-byte alignment and breaks strict aliasing.)
    for (std::size_t h = 0; h < 2; ++h) {
      const __m128 y4 = _mm_loadu_ps(y + 4 * h);
      const __m128 t4 = _mm_loadu_ps(t + 4 * h);
      const __m128d e_low = _mm_sub_pd(_mm_cvtps_pd(y4), _mm_cvtps_pd(t4));
      const __m128d e_high =
          _mm_sub_pd(_mm_cvtps_pd(_mm_movehl_ps(y4, y4)), _mm_cvtps_pd(_mm_movehl_ps(t4, t4)));
      partial[2 * h] = _mm_add_pd(partial[2 * h], _mm_mul_pd(e_low, e_low));
      partial[2 * h + 1] = _mm_add_pd(partial[2 * h + 1], _mm_mul_pd(e_high, e_high));
    }
  }
  [[nodiscard]] double total() const noexcept {
    alignas(16) double lanes[8];
    for (std::size_t q = 0; q < 4; ++q) _mm_store_pd(lanes + 2 * q, partial[q]);
    double sum = 0.0;
    for (double lane : lanes) sum += lane;
    return sum;
  }
};

template <class Arch>
double squared_error(const float* y, const float* t, std::size_t n, float* delta, float scale,
                     bool sigmoid_output) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  // A step is whole rounds of eight and whole vectors: 8 floats (SSE2: two vectors), 16 on AVX-512.
  constexpr std::size_t step = width > 8 ? width : 8;
  std::conditional_t<std::is_same_v<Arch, xsimd::sse2>, squared_error_lanes_sse<Arch>,
                     squared_error_lanes_avx<Arch>>
      lanes;
  const fbatch factor(scale);
  const auto write_deltas = [&](const float* ys, const float* ts, float* out, std::size_t count) {
    for (std::size_t v = 0; v < step; v += width) {
      if (v >= count) return;
      const std::size_t c = count - v < width ? count - v : width;
      const fbatch yv = c == width ? fbatch::load_unaligned(ys + v) : load_partial<Arch>(ys + v, c);
      const fbatch tv = c == width ? fbatch::load_unaligned(ts + v) : load_partial<Arch>(ts + v, c);
      fbatch d = factor * (yv - tv);
      if (sigmoid_output) d = d * sigmoid_slope<Arch>(yv);
      if (c == width) {
        d.store_unaligned(out + v);
      } else {
        store_partial<Arch>(d, out + v, c);
      }
    }
  };
  std::size_t i = 0;
  for (; i + step <= n; i += step) {
    for (std::size_t r = 0; r < step; r += 8) lanes.add_round(y + i + r, t + i + r);
    if (delta != nullptr) write_deltas(y + i, t + i, delta + i, step);
  }
  if (i < n) {
    // The last partial step through zero-padded copies: the padding's terms add +0.
    alignas(64) float ys[step] = {}, ts[step] = {};
    for (std::size_t j = 0; i + j < n; ++j) {
      ys[j] = y[i + j];
      ts[j] = t[i + j];
    }
    for (std::size_t r = 0; r < step; r += 8) lanes.add_round(ys + r, ts + r);
    if (delta != nullptr) write_deltas(ys, ts, delta + i, n - i);
  }
  return lanes.total();
}

}  // namespace simdnn::kernels
