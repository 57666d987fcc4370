// lib/kernels/partial.hpp — partial-vector memory access for the arch-generic kernels.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace simdnn::kernels {

// The first `count` lanes of a vector from / to memory, without touching the rest (loads: count
// <= width, 0 touches no memory and gives zeros; stores: count < width):
// AVX-512 and AVX2 mask the access in hardware (masked-off lanes never fault); SSE2 goes through
// a stack copy. Used for the last partial vector of a GEMM edge tile and of elementwise tails,
// so neither needs a round trip through a temporary.
template <class Arch>
inline xsimd::batch<float, Arch> load_partial(const float* src, std::size_t count) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    return fbatch(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1u), src));
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return fbatch(_mm256_maskload_ps(src, mask));
  } else {
    alignas(64) float lanes[fbatch::size] = {};
    for (std::size_t j = 0; j < count; ++j) lanes[j] = src[j];
    return fbatch::load_aligned(lanes);
  }
}

template <class Arch>
inline void store_partial(xsimd::batch<float, Arch> value, float* dst, std::size_t count) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    _mm512_mask_storeu_ps(dst, static_cast<__mmask16>((1u << count) - 1u), value);
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    // Not vmaskmovps: on Zen 3 a masked store costs ~15 cycles (measured by the peers
    // benchmark), a plain one ~2. Store 4, 2 and 1 lanes as the bits of count say.
    __m128 part = _mm256_castps256_ps128(value);
    if (count & 4) {
      _mm_storeu_ps(dst, part);
      part = _mm256_extractf128_ps(value, 1);
      dst += 4;
    }
    if (count & 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(dst), part);
      part = _mm_movehl_ps(part, part);
      dst += 2;
    }
    if (count & 1) _mm_store_ss(dst, part);
  } else {
    alignas(64) float lanes[fbatch::size];
    value.store_aligned(lanes);
    for (std::size_t j = 0; j < count; ++j) dst[j] = lanes[j];
  }
}

}  // namespace simdnn::kernels
