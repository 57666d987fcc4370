// bench/ab/dense_layer_ab.cpp — the fused dense forward against the unfused sequence, layer by
// layer, alternated in one process on one kernel table (the active ISA; SIMDNN_ISA caps it):
// the MNIST-shaped network's three sigmoid layers, Z := X W + b and A := f(Z) in place, fused
// (sgemm_bias_activation) and unfused (bias broadcast, sgemm with beta = 1, the sigmoid pass),
// plus the GEMM alone and the sigmoid pass alone for scale. Prints medians per variant and the
// median and quartiles of the pairwise ratios unfused / fused (> 1: fused faster).
//   c++ -std=c++20 -O2 -Ilib -Iinclude bench/ab/dense_layer_ab.cpp
//       build/release/lib/libsimdnn.a -pthread -o build/dense_layer_ab
//   build/dense_layer_ab 61        (SIMDNN_ISA=avx2 build/dense_layer_ab 61 for AVX2)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels/table.hpp"

namespace {

struct layer {
  std::size_t m, n, k;
};

double median_of(std::vector<double> v, std::size_t at_numerator, std::size_t at_denominator) {
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) * at_numerator / at_denominator];
}

}  // namespace

int main(int argc, char** argv) {
  using simdnn::activation;
  const simdnn::kernels::kernel_table& k = simdnn::kernels::best_kernels();
  const layer layers[] = {{256, 256, 784}, {256, 128, 256}, {256, 10, 128}};
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 31, iterations = 20;
  std::vector<float> x(256 * 784), w(784 * 256), b(256), z(256 * 256);
  std::vector<float> workspace(simdnn::kernels::sgemm_workspace_floats(k.blocking, 256, 256, 784) +
                               16);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 97) / 97.0f;
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = (static_cast<float>(i % 89) / 89.0f - 0.5f) / 10;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = 0.01f * static_cast<float>(i % 7);
  // 0 unfused, 1 fused, 2 the GEMM alone, 3 the sigmoid pass alone.
  auto run = [&](const layer& l, int variant) {
    if (variant == 1) {
      k.sgemm_bias_activation(l.m, l.n, l.k, x.data(), l.k, w.data(), l.n, b.data(), z.data(), l.n,
                              z.data(), l.n, activation::sigmoid, 0.0f, workspace.data());
      return;
    }
    if (variant == 0) {
      for (std::size_t r = 0; r < l.m; ++r) std::memcpy(&z[r * l.n], b.data(), l.n * 4);
    }
    if (variant != 3) {
      k.sgemm(false, false, l.m, l.n, l.k, 1.0f, x.data(), l.k, w.data(), l.n,
              variant == 0 ? 1.0f : 0.0f, z.data(), l.n, workspace.data());
    }
    if (variant != 2) k.sigmoid(z.data(), z.data(), l.m * l.n);
  };
  std::printf("%s, %d samples of %d calls, variants in rotating order\n", k.name, repetitions,
              iterations);
  for (const layer& l : layers) {
    std::vector<double> t[4], ratio;
    for (int r = 0; r < repetitions; ++r) {
      for (int v = 0; v < 4; ++v) {
        const int variant = (v + r) % 4;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i) run(l, variant);
        t[variant].push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
            iterations * 1e6);
      }
      ratio.push_back(t[0].back() / t[1].back());
    }
    std::printf(
        "%zux%zux%zu (m x k x n): unfused %.1f us, fused %.1f us, GEMM alone %.1f us, sigmoid "
        "alone %.1f us; unfused/fused pairs: median %.3f, quartiles %.3f-%.3f\n",
        l.m, l.k, l.n, median_of(t[0], 1, 2), median_of(t[1], 1, 2), median_of(t[2], 1, 2),
        median_of(t[3], 1, 2), median_of(ratio, 1, 2), median_of(ratio, 1, 4),
        median_of(ratio, 3, 4));
  }
  return 0;
}
