// lib/kernels/gemm/epilogue.hpp — a dense layer's forward pass as one SGEMM: the bias and the
// activation fused into the blocked loops' stores.
//
//   Z := X W + b  (b added to every row),  A := f(Z)        row-major, arguments already valid
//
// X is m x k (row stride ldx), W k x n (ldw), b n floats or null (no bias), Z and A m x n (ldz,
// lda); f an elementwise activation (fuses_into_sgemm: every one but softmax, which needs whole
// rows), `parameter` its parameter (leaky_relu's slope). A may equal Z (in place, with lda ==
// ldz); otherwise neither may overlap the other or X, W, b.
//
// Same bits as the unfused sequence the network ran before (Z := b in every row; Z := X W + 1 Z
// by the kernel table's sgemm; A := f(Z) by the activation's array kernel), on every ISA:
//  - The product is the one sgemm would run for this shape (choose_path). On the blocked path
//    the first k block's store reads the starting value from b instead of from a Z filled with
//    b: the same fma(1, b[j], acc * 1) (lib/kernels/gemm/store.hpp); later k blocks add to Z as
//    before. Every other path (tiny or single-row products) runs the unfused sequence itself.
//  - f is applied to each tile right after its last k block is stored, while it is in L1, with
//    the array kernel's own per-value operations (the staged kernels' two stages,
//    sigmoid_stages and tanh_stages; relu_batch and leaky_relu_batch; a copy for identity);
//    partial vectors are loaded and stored masked, as the array kernels' tails. An elementwise
//    kernel's result does not depend on a value's position (lib/kernels/sigmoid.hpp), so per
//    tile and per array give the same bits.
// So a network's thread split (rows or columns of Z, lib/nn/work_split.hpp) may call this on its
// share: each element sees the same operations as unsplit. Never allocates: the workspace is
// sgemm's (sgemm_workspace_floats), the epilogue's parked stage values a stack array of one
// tile.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "kernels/activations.hpp"
#include "kernels/gemm/blocked.hpp"
#include "kernels/gemm/dispatch.hpp"
#include "kernels/gemm/path.hpp"
#include "kernels/partial.hpp"
#include "kernels/sigmoid.hpp"
#include "kernels/table.hpp"
#include "kernels/tanh.hpp"

namespace simdnn::kernels::gemm {

// Applies `stages` (first: batch -> parked values, second: (batch, parked) -> result) to the
// rows x cols values of one tile (at most Vectors vectors: MR rows of NR / width), stage by stage
// over the whole tile as the array kernels' blocks (for_each_block), whose per-value operations
// these are. The last vector of a row is partial when cols is not a multiple of the width.
template <class Arch, class Stages, std::size_t Vectors>
[[gnu::always_inline]] inline void activate_tile_staged(const float* z, std::size_t ldz, float* a,
                                                        std::size_t lda, std::size_t rows,
                                                        std::size_t cols) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  using parked_t = typename Stages::parked;
  constexpr std::size_t width = fbatch::size;
  constexpr std::size_t parked_count = std::tuple_size_v<parked_t>;
  alignas(64) float parked[parked_count][Vectors * width];
  assert(rows * ((cols + width - 1) / width) <= Vectors && "more than one tile");
  std::size_t slot = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; j += width, ++slot) {
      const std::size_t count = cols - j < width ? cols - j : width;
      const fbatch v = count == width ? fbatch::load_unaligned(z + i * ldz + j)
                                      : load_partial<Arch>(z + i * ldz + j, count);
      const parked_t values = Stages::first(v);
      for (std::size_t p = 0; p < parked_count; ++p) {
        values[p].store_aligned(parked[p] + slot * width);
      }
    }
  }
  // Z is read again before A is written: in place (A == Z) stays correct.
  slot = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; j += width, ++slot) {
      const std::size_t count = cols - j < width ? cols - j : width;
      parked_t values;
      for (std::size_t p = 0; p < parked_count; ++p) {
        values[p] = fbatch::load_aligned(parked[p] + slot * width);
      }
      if (count == width) {
        Stages::second(fbatch::load_unaligned(z + i * ldz + j), values)
            .store_unaligned(a + i * lda + j);
      } else {
        store_partial<Arch>(Stages::second(load_partial<Arch>(z + i * ldz + j, count), values),
                            a + i * lda + j, count);
      }
    }
  }
}

// A := f(Z) on rows x cols (any strides) of at most one tile: rows * ceil(cols / width) <=
// Vectors, the staged kernels' stack buffer (the blocked loops pass one micro-tile), with the
// array kernels' per-value operations.
template <class Arch, activation Act, std::size_t Vectors>
[[gnu::always_inline]] inline void activate_tile(const float* z, std::size_t ldz, float* a,
                                                 std::size_t lda, std::size_t rows,
                                                 std::size_t cols, float parameter) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (Act == activation::identity) {
    if (a == z) return;
    for (std::size_t i = 0; i < rows; ++i) {
      std::memcpy(a + i * lda, z + i * ldz, cols * sizeof(float));
    }
  } else if constexpr (Act == activation::relu) {
    for (std::size_t i = 0; i < rows; ++i) {
      for_each_batch<Arch>(z + i * ldz, a + i * lda, cols,
                           [](fbatch v) { return relu_batch<Arch>(v); });
    }
  } else if constexpr (Act == activation::leaky_relu) {
    const fbatch slope(parameter);
    for (std::size_t i = 0; i < rows; ++i) {
      for_each_batch<Arch>(z + i * ldz, a + i * lda, cols,
                           [slope](fbatch v) { return leaky_relu_batch<Arch>(v, slope); });
    }
  } else if constexpr (Act == activation::sigmoid_fast) {
    activate_tile_staged<Arch, sigmoid_fast_stages<Arch>, Vectors>(z, ldz, a, lda, rows, cols);
  } else if constexpr (Act == activation::sigmoid || Act == activation::tanh) {
    using stages =
        std::conditional_t<Act == activation::sigmoid, sigmoid_stages<Arch>, tanh_stages<Arch>>;
    if constexpr (has_hardware_fma<Arch>) {
      activate_tile_staged<Arch, stages, Vectors>(z, ldz, a, lda, rows, cols);
    } else {
      // SSE2 evaluates these in double, one vector at a time (no stages).
      for (std::size_t i = 0; i < rows; ++i) {
        for_each_batch<Arch>(z + i * ldz, a + i * lda, cols, [](fbatch v) {
          if constexpr (Act == activation::sigmoid) {
            return sigmoid_batch<Arch>(v);
          } else {
            return tanh_batch<Arch>(v);
          }
        });
      }
    }
  } else {
    static_assert(Act == activation::identity, "softmax needs whole rows: not an epilogue");
  }
}

// The blocked loops' epilogue for one activation: each finished tile of Z, A := f(Z).
template <class Arch, activation Act>
struct activation_epilogue {
  const float* z;
  std::size_t ldz;
  float* a;
  std::size_t lda;
  float parameter;

  template <std::size_t MR, std::size_t NR>
  [[gnu::always_inline]] void tile(std::size_t row, std::size_t col, std::size_t rows,
                                   std::size_t cols) const noexcept {
    constexpr std::size_t vectors = MR * (NR / xsimd::batch<float, Arch>::size);
    activate_tile<Arch, Act, vectors>(z + row * ldz + col, ldz, a + row * lda + col, lda, rows,
                                      cols, parameter);
  }
};

// The unfused sequence, for the paths that are not blocked (tiny or single-row products: no
// tiles to hook into): Z := b in every row, the table's sgemm with beta = 1, then A := f(Z) by
// the array kernels (row by row when Z or A is a share of a wider matrix).
template <class Arch, class Shape>
void dense_forward_unfused(std::size_t m, std::size_t n, std::size_t k, const float* x,
                           std::size_t ldx, const float* w, std::size_t ldw, const float* bias,
                           float* z, std::size_t ldz, float* a, std::size_t lda, activation act,
                           float parameter, float* workspace) noexcept {
  float beta = 0.0f;  // beta == 0: the kernel never reads Z, whatever it holds
  if (bias != nullptr) {
    for (std::size_t i = 0; i < m; ++i) std::memcpy(z + i * ldz, bias, n * sizeof(float));
    beta = 1.0f;
  }
  sgemm_dispatch<Arch, Shape>(false, false, m, n, k, 1.0f, x, ldx, w, ldw, beta, z, ldz, workspace);
  const bool contiguous = ldz == n && lda == n;
  const std::size_t rows = contiguous ? 1 : m, cols = contiguous ? m * n : n;
  auto each_row = [&](auto kernel) {
    for (std::size_t i = 0; i < rows; ++i) kernel(z + i * ldz, a + i * lda, cols);
  };
  switch (act) {
    case activation::identity:
      if (a != z) {
        for (std::size_t i = 0; i < m; ++i)
          std::memcpy(a + i * lda, z + i * ldz, n * sizeof(float));
      }
      return;
    case activation::sigmoid:
      each_row(
          [](const float* in, float* out, std::size_t count) { sigmoid<Arch>(in, out, count); });
      return;
    case activation::sigmoid_fast:
      each_row([](const float* in, float* out, std::size_t count) {
        sigmoid_fast<Arch>(in, out, count);
      });
      return;
    case activation::tanh:
      each_row([](const float* in, float* out, std::size_t count) {
        kernels::tanh<Arch>(in, out, count);
      });
      return;
    case activation::relu:
      each_row([](const float* in, float* out, std::size_t count) { relu<Arch>(in, out, count); });
      return;
    case activation::leaky_relu:
      each_row([parameter](const float* in, float* out, std::size_t count) {
        leaky_relu<Arch>(in, out, count, parameter);
      });
      return;
    case activation::softmax:
      return;  // not an epilogue (precondition); Z alone
  }
}

// The kernel table's dense_layer_forward (contract at the top of this file).
template <class Arch, class Shape>
void sgemm_bias_activation(std::size_t m, std::size_t n, std::size_t k, const float* x,
                           std::size_t ldx, const float* w, std::size_t ldw, const float* bias,
                           float* z, std::size_t ldz, float* a, std::size_t lda, activation act,
                           float parameter, float* workspace) noexcept {
  if (choose_path(false, false, m, n, k, false) != path::blocked) {
    dense_forward_unfused<Arch, Shape>(m, n, k, x, ldx, w, ldw, bias, z, ldz, a, lda, act,
                                       parameter, workspace);
    return;
  }
  const float beta = bias != nullptr ? 1.0f : 0.0f;
  auto run = [&](auto epilogue) {
    epilogue.z = z;
    epilogue.ldz = ldz;
    epilogue.a = a;
    epilogue.lda = lda;
    epilogue.parameter = parameter;
    sgemm_blocked_with<Arch, Shape, a_packing::automatic>(
        false, false, m, n, k, 1.0f, x, ldx, w, ldw, beta, z, ldz, workspace, bias, epilogue);
  };
  switch (act) {
    case activation::identity:
      run(activation_epilogue<Arch, activation::identity>{});
      return;
    case activation::sigmoid:
      run(activation_epilogue<Arch, activation::sigmoid>{});
      return;
    case activation::sigmoid_fast:
      run(activation_epilogue<Arch, activation::sigmoid_fast>{});
      return;
    case activation::tanh:
      run(activation_epilogue<Arch, activation::tanh>{});
      return;
    case activation::relu:
      run(activation_epilogue<Arch, activation::relu>{});
      return;
    case activation::leaky_relu:
      run(activation_epilogue<Arch, activation::leaky_relu>{});
      return;
    case activation::softmax:
      // Not an epilogue (precondition): Z alone, as the unfused product.
      dense_forward_unfused<Arch, Shape>(m, n, k, x, ldx, w, ldw, bias, z, ldz, a, lda, act,
                                         parameter, workspace);
      return;
  }
}

}  // namespace simdnn::kernels::gemm
