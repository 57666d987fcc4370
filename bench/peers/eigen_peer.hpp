// bench/peers/eigen_peer.hpp — Eigen 3.4 MLP peers of simdnn::network and simdnn::predictor,
// seen from simdnn_bench_peers. No Eigen type crosses this interface: each peer variant is its
// own shared object (peers/eigen_mlp.cpp built once per ISA, with and without EIGEN_USE_BLAS),
// compiled with hidden visibility, so its Eigen instantiations (which EIGEN_USE_BLAS changes, and
// which the ISA flags change) stay private to it and never win the link for another variant or
// for baseline code. Each exports one function, eigen_peer_<variant>(), returning its table.
//
// The maths is simdnn's (simdnn/network.hpp, simdnn/predictor.hpp), written as Eigen users write
// it: Eigen's default column-major MatrixXf / fixed-size Matrix, products with noalias() into
// buffers sized at construction, the sigmoid as (1 + exp(-z)).inverse() on arrays.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#define SIMDNN_EIGEN_PEER_EXPORT __attribute__((visibility("default")))

namespace simdnn::bench::peers {

// A sigmoid network's parameters in simdnn's layout: weights[l] is widths[l] x widths[l+1]
// row-major, biases[l] has widths[l+1] entries (all biases empty: no bias).
struct mlp_parameters {
  std::vector<std::size_t> widths;
  std::vector<std::vector<float>> weights, biases;
  std::vector<float> mean, stddev;  // input standardization (x - mean) / stddev; empty: none
};

// Full-batch training on a fixed batch with the squared error and plain SGD, as
// network::train_batch: L = sum (y - t)^2, divided by batch * outputs with mean_reduction;
// dL/dy = 2 (y - t) (/ batch * outputs); W -= lr dW, b -= lr db after the whole backward pass.
struct mlp_training {
  mlp_parameters initial;
  std::vector<float> inputs, targets;  // batch x widths.front(), batch x widths.back(), row-major
  std::size_t batch = 0;
  bool mean_reduction = true;
  float learning_rate = 0.1f;
};

class mlp_trainer {
 public:
  virtual ~mlp_trainer() = default;
  // One step on the batch (forward, loss, backward, update); returns the loss before the update.
  virtual float step() = 0;
  // Now, in simdnn's layout.
  [[nodiscard]] virtual mlp_parameters parameters() const = 0;
  // The last step's gradients dL/dW, dL/db (in weights and biases), in simdnn's layout.
  [[nodiscard]] virtual mlp_parameters gradients() const = 0;
};

class mlp_forward {
 public:
  virtual ~mlp_forward() = default;
  // One sample (widths.front() floats) -> widths.back() floats, valid until the next call.
  virtual const float* forward(const float* input) = 0;
  // `calls` single-sample forwards back to back, the loop compiled with the forward inlined (as
  // an Eigen user's code is): call i reads sample i mod `samples` of `inputs` (samples x
  // widths.front()). Each input pointer is hidden from the optimizer and each output forced to
  // memory, so no call can be hoisted or dropped. Returns the last output.
  virtual const float* forward_loop(const float* inputs, std::size_t samples,
                                    std::size_t calls) = 0;
  // `calls` forwards in a dependency chain, the loop compiled with the forward inlined: the
  // first input is `first` (widths.front() floats), and each next one is it with its first
  // feature replaced by half the previous call's first output, so no call can start before the
  // one before it has finished (simdnn_bench's predict_latency chain_ns). Returns the last output.
  virtual const float* forward_chain(const float* first, std::size_t calls) = 0;
};

struct eigen_peer {
  const char* name;     // "eigen-avx2", "eigen-openblas-avx512", ...
  const char* version;  // Eigen's, "3.4.0"
  const char* flags;    // how this variant was compiled
  const char* simd;     // Eigen::SimdInstructionSetsInUse()
  bool uses_blas;       // EIGEN_USE_BLAS
  std::unique_ptr<mlp_trainer> (*make_trainer)(const mlp_training&);
  std::unique_ptr<mlp_forward> (*make_forward)(const mlp_parameters&);
  // Fixed-size Matrix<float, 10, 4> etc.; only for widths 4-10-3-1 (else nullptr).
  std::unique_ptr<mlp_forward> (*make_fixed_forward)(const mlp_parameters&);
};

// simdnn_bench_peers: registers the net/* benchmarks (network_peers_bench.cpp).
void register_network_benchmarks();

}  // namespace simdnn::bench::peers

// One function per variant (peers/peers.cmake builds those of the ISAs simdnn compiles).
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_sse2();
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_avx2();
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_avx512();
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_openblas_sse2();
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_openblas_avx2();
SIMDNN_EIGEN_PEER_EXPORT const simdnn::bench::peers::eigen_peer& eigen_peer_openblas_avx512();
