// lib/kernels/table.hpp — the per-ISA kernel table (BLIS "context", XNNPACK "config").
//
// Each lib/arch/<isa>.cpp fills one table with that ISA's instantiations of the arch-generic
// kernels in lib/kernels/. The library resolves the table once (best_kernels) and every public
// call or network dispatches through it; kernels never dispatch per tile. Internal header: the
// public API never exposes it, tests and benchmarks use it to run every ISA.
#pragma once

#include <cstddef>

#include "kernels/dense_layout.hpp"
#include "kernels/row_block_layout.hpp"
#include "simdnn/activation.hpp"
#include "simdnn/isa.hpp"

namespace simdnn::kernels {

// GEMM blocking of one ISA, BLIS vocabulary: an MR x NR register tile; A packed in MC x KC blocks,
// B in KC x NC blocks.
struct gemm_blocking {
  std::size_t mr, nr, kc, mc, nc;
};

// The order of operations every FMA ISA's sgemm follows (lib/kernels/gemm/dispatch.hpp, "Order of
// operations"); tests evaluate it in scalars.
//
// The depth of a k block on every FMA ISA. It fixes where the per-element sums are rounded into
// C, so it is part of the reproducibility contract, not a per-ISA tuning knob (static_assert in
// lib/arch/instantiate.hpp). 256 keeps AVX-512's KC x NR = 256 x 32 panel of B (32 KiB) in a
// 48 KiB L1D; AVX2's 256 x 16 panel takes 16 KiB.
inline constexpr std::size_t kReproducibleKc = 256;
// The single-row dot products (sgemm_single_row) accumulate in kDotLanes lanes on every ISA: one
// 16-lane vector on AVX-512, two 8-lane vectors on AVX2, four 4-lane vectors on SSE2, so lane l
// sums the products p = l, l + 16, l + 32, ... in the same order everywhere.
inline constexpr std::size_t kDotLanes = 16;
// (Which products take the single-row path: lib/kernels/gemm/path.hpp, kSingleRowMaxGather.)

// The packing workspace of an m x n x k product with this blocking, laid out once here for both
// the sizing (sgemm_workspace_floats, which also sizes a network's arena) and the carving
// (lib/kernels/gemm/blocked.hpp): a packed block of A (MC x KC at most, rounded to 16 floats so
// B's block stays 64-byte aligned), a packed block of B (KC x NC at most), and 16 floats to align
// the start. The small path's transposed copy of B and the single-row gather fit inside.
struct sgemm_workspace_parts {
  std::size_t packed_a, packed_b, total;
};

// Defined in lib/sgemm.cpp, compiled for the baseline ISA: an inline function here would be
// emitted by every per-ISA object, and the linker could keep the AVX-512 copy for everyone
// (tools/check-isa-symbols.sh).
[[nodiscard]] sgemm_workspace_parts sgemm_workspace_layout(const gemm_blocking& blocking,
                                                           std::size_t m, std::size_t n,
                                                           std::size_t k) noexcept;

// Floats of packing workspace an m x n x k product needs with this blocking.
[[nodiscard]] std::size_t sgemm_workspace_floats(const gemm_blocking& blocking, std::size_t m,
                                                 std::size_t n, std::size_t k) noexcept;

// Row-major C := alpha * op(A) * op(B) + beta * C, arguments already validated (see
// simdnn/sgemm.hpp for the contract). `workspace` holds at least sgemm_workspace_floats(...) floats
// and need not be aligned (the kernel aligns inside it). Never allocates.
using sgemm_fn = void (*)(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                          float alpha, const float* a, std::size_t lda, const float* b,
                          std::size_t ldb, float beta, float* c, std::size_t ldc,
                          float* workspace) noexcept;

// A dense layer's forward pass with the bias and the activation fused into the SGEMM's stores
// (lib/kernels/gemm/epilogue.hpp, which states the contract): Z := X W + b (b null: none),
// A := f(Z), bitwise the unfused Z := b, sgemm(beta = 1), f. f must fuse_into_sgemm.
using sgemm_bias_activation_fn = void (*)(std::size_t m, std::size_t n, std::size_t k,
                                          const float* x, std::size_t ldx, const float* w,
                                          std::size_t ldw, const float* bias, float* z,
                                          std::size_t ldz, float* a, std::size_t lda,
                                          activation act, float parameter,
                                          float* workspace) noexcept;

// Whether sgemm_bias_activation can apply `act`: every elementwise activation, not softmax (it
// needs whole rows).
[[nodiscard]] constexpr bool fuses_into_sgemm(activation act) noexcept {
  return act != activation::softmax;
}

// The register micro-kernel alone (test hook): C(rows x cols of an MR x NR tile, row stride ldc)
// := alpha * Ap * Bp + beta * C, Ap an MR x kc panel packed column by column, Bp a kc x NR panel
// packed row by row (64-byte aligned). beta == 0: C not read.
using sgemm_micro_fn = void (*)(std::size_t kc, const float* a_panel, const float* b_panel,
                                float* c, std::size_t ldc, float alpha, float beta,
                                std::size_t rows, std::size_t cols) noexcept;

// The accurate sigmoid runs arrays in blocks of this many vectors, stage by stage (see
// lib/kernels/sigmoid.hpp); tests use it to cover lengths around block boundaries.
inline constexpr std::size_t kSigmoidBlockVectors = 16;

// y[i] = sigmoid(x[i]); x == y allowed. Contract in simdnn/activation.hpp.
using unary_fn = void (*)(const float* x, float* y, std::size_t n) noexcept;
// d[i] = g[i] * s[i] * (1 - s[i]); d may equal g or s.
using binary_fn = void (*)(const float* g, const float* s, float* d, std::size_t n) noexcept;
// The same with a parameter (leaky_relu's slope).
using unary_parameter_fn = void (*)(const float* x, float* y, std::size_t n, float p) noexcept;
using binary_parameter_fn = void (*)(const float* g, const float* a, float* d, std::size_t n,
                                     float p) noexcept;
// Row-wise kernels (softmax): rows x cols, row-major.
using rows_fn = void (*)(const float* x, float* y, std::size_t rows, std::size_t cols) noexcept;
using rows_binary_fn = void (*)(const float* g, const float* a, float* d, std::size_t rows,
                                std::size_t cols) noexcept;

struct kernel_table {
  isa id;
  const char* name;       // "sse2", "avx2", "avx512"
  const char* gemm_tile;  // e.g. "6x16": MR x NR, for benchmark and test names
  gemm_blocking blocking;
  sgemm_fn sgemm;  // the path chosen by lib/kernels/gemm/path.hpp (lib/kernels/gemm/dispatch.hpp)
  // The same kernel with A always packed / never packed, so tests cover both paths at any shape.
  sgemm_fn sgemm_packed_a;
  sgemm_fn sgemm_unpacked_a;
  // The small-product path without packing (lib/kernels/gemm/small.hpp) at any shape; sgemm
  // picks it for tiny products and for a single row of C times B.
  sgemm_fn sgemm_small;
  sgemm_micro_fn sgemm_micro_kernel;
  sgemm_bias_activation_fn sgemm_bias_activation;  // a dense layer's forward, fused
  unary_fn sigmoid;
  unary_fn sigmoid_fast;  // the faster, less accurate variant (simdnn::sigmoid_fast)
  unary_fn sigmoid_derivative;
  binary_fn sigmoid_delta;
  // The other activations (lib/kernels/tanh.hpp, activations.hpp): forward y = f(x), and the
  // backprop step d = g * f' from the saved output a. Contracts in simdnn/activation.hpp.
  unary_fn tanh;
  binary_fn tanh_delta;
  unary_fn relu;
  binary_fn relu_delta;
  unary_parameter_fn leaky_relu;
  binary_parameter_fn leaky_relu_delta;
  rows_fn softmax;
  rows_binary_fn softmax_delta;
  // Inference through a packed dense network (lib/kernels/dense.hpp): y = forward(x) for `rows`
  // rows, workspace of dense_workspace_floats(model, rows) floats, 64-byte aligned.
  void (*dense_forward)(const dense_model& model, const float* x, float* y, std::size_t rows,
                        float* workspace) noexcept;
  // The same for one row of a model that dense_is_narrow (every width <= 16), no workspace.
  void (*dense_forward_narrow_row)(const dense_model& model, const float* x, float* y) noexcept;
  // A small network's training pass with rows in the lanes (lib/kernels/row_block.hpp): every
  // layer's forward in one call, and every delta and gradient in one more.
  void (*row_block_forward)(const row_block_network& net, const float* x,
                            std::size_t batch) noexcept;
  void (*row_block_backward)(const row_block_network& net, std::size_t batch) noexcept;
  // The squared error's sum over n outputs in double, in its one order, and with delta non-null
  // the output deltas scale (y - t), times y (1 - y) when sigmoid_output
  // (lib/kernels/squared_error.hpp): bitwise the same on every ISA.
  double (*squared_error)(const float* y, const float* t, std::size_t n, float* delta, float scale,
                          bool sigmoid_output) noexcept;
  // No NaN or infinity among n floats: lib/common/finite.hpp's test on vectors
  // (lib/kernels/finite.hpp).
  bool (*all_finite)(const float* x, std::size_t n) noexcept;
};

// The table for `which`, or nullptr if this build or this CPU/OS cannot run it.
[[nodiscard]] const kernel_table* kernels_for(isa which) noexcept;

// The table of active_isa(). Resolved once; thread-safe.
[[nodiscard]] const kernel_table& best_kernels() noexcept;

// Defined in lib/arch/<isa>.cpp (only those compiled in: SIMDNN_HAVE_<ISA>).
const kernel_table& sse2_kernels() noexcept;
const kernel_table& avx2_kernels() noexcept;
const kernel_table& avx512_kernels() noexcept;

}  // namespace simdnn::kernels
