// lib/kernels/row_block_transpose.hpp — rows <-> row blocks (layout: row_block_layout.hpp).
//
//   rows_to_block<Arch>(rows, ld, valid, cols, block): rows [0, valid) of a row-major matrix
//     (`cols` values per row, `ld` apart) into one row block; lanes past `valid` get 0.
//   rows_to_blocks<Arch>(rows, batch, cols, blocks): every block of a batch x cols row-major
//     matrix (ld = cols), the last one padded with 0.
//   blocks_to_rows<Arch>(blocks, batch, cols, rows): the reverse, rows past the batch dropped.
// Preconditions: cols <= kRowBlockMaxWidth (16: blocks_to_rows keeps its gather offsets for a
// whole block on the stack); `block`/`blocks` 64-byte aligned (whole-vector aligned stores);
// the network guarantees both (row_block_layout.hpp, its arena).
// Plain copies: the same values on every ISA. Whole blocks move by hardware gathers (AVX2,
// AVX-512; one instruction per vector instead of one load and insert per lane), with the lane
// offsets computed once per call; a partial last block by scalar copies. Every helper is a
// template on Arch, like everything in the per-ISA objects, so the linker never merges it across
// ISAs. Never allocates.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "kernels/row_block_layout.hpp"

namespace simdnn::kernels {

// A vector of base[offsets[l]] (offsets: one aligned vector of lane offsets, in floats).
template <class Arch>
inline xsimd::batch<float, Arch> gather_floats(const float* base,
                                               const std::int32_t* offsets) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    return fbatch(_mm512_i32gather_ps(_mm512_load_si512(offsets), base, 4));
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    return fbatch(
        _mm256_i32gather_ps(base, _mm256_load_si256(reinterpret_cast<const __m256i*>(offsets)), 4));
  } else {
    alignas(64) float lanes[fbatch::size];
    for (std::size_t l = 0; l < fbatch::size; ++l) lanes[l] = base[offsets[l]];
    return fbatch::load_aligned(lanes);
  }
}

// The scalar copy of a partial block (and of a single row).
template <class Arch>
inline void rows_to_block(const float* rows, std::size_t ld, std::size_t valid, std::size_t cols,
                          float* block) noexcept {
  for (std::size_t f = 0; f < cols; ++f) {
    float* lanes = block + f * kRowBlock;
    std::size_t r = 0;
    for (; r < valid; ++r) lanes[r] = rows[r * ld + f];
    for (; r < kRowBlock; ++r) lanes[r] = 0.0f;
  }
}

template <class Arch>
void rows_to_blocks(const float* rows, std::size_t batch, std::size_t cols,
                    float* blocks) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  // Lane l of vector v of feature f reads row 16 b + v width + l: offset (v width + l) cols + f.
  alignas(64) std::int32_t offsets[kRowBlock];
  for (std::size_t l = 0; l < kRowBlock; ++l) offsets[l] = static_cast<std::int32_t>(l * cols);
  const std::size_t whole = batch / kRowBlock, block_floats = kRowBlock * cols;
  for (std::size_t b = 0; b < whole; ++b) {
    const float* src = rows + b * block_floats;
    float* dst = blocks + b * block_floats;
    for (std::size_t f = 0; f < cols; ++f) {
      for (std::size_t v = 0; v < kRowBlock; v += width) {
        gather_floats<Arch>(src + f, offsets + v).store_aligned(dst + f * kRowBlock + v);
      }
    }
  }
  if (whole * kRowBlock < batch) {
    rows_to_block<Arch>(rows + whole * block_floats, cols, batch - whole * kRowBlock, cols,
                        blocks + whole * block_floats);
  }
}

template <class Arch>
void blocks_to_rows(const float* blocks, std::size_t batch, std::size_t cols,
                    float* rows) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  constexpr std::size_t width = fbatch::size;
  // Row-major element e of a block (row e / cols, feature e % cols) sits at (e % cols) 16 + e /
  // cols; a block's 16 cols elements are whole vectors.
  assert(cols <= kRowBlockMaxWidth && "a row block holds at most kRowBlockMaxWidth features");
  alignas(64) std::int32_t offsets[kRowBlock * kRowBlockMaxWidth];
  const std::size_t block_floats = kRowBlock * cols;
  for (std::size_t r = 0, e = 0; r < kRowBlock; ++r) {  // e = r cols + f, no division
    for (std::size_t f = 0; f < cols; ++f)
      offsets[e++] = static_cast<std::int32_t>(f * kRowBlock + r);
  }
  const std::size_t whole = batch / kRowBlock;
  for (std::size_t b = 0; b < whole; ++b) {
    const float* src = blocks + b * block_floats;
    float* dst = rows + b * block_floats;
    for (std::size_t e = 0; e < block_floats; e += width) {
      gather_floats<Arch>(src, offsets + e).store_unaligned(dst + e);
    }
  }
  const std::size_t valid = batch - whole * kRowBlock;
  const float* src = blocks + whole * block_floats;
  float* dst = rows + whole * block_floats;
  for (std::size_t r = 0; r < valid; ++r) {
    for (std::size_t f = 0; f < cols; ++f) dst[r * cols + f] = src[f * kRowBlock + r];
  }
}

}  // namespace simdnn::kernels
