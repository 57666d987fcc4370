// bench/ab/backward_gemm_ab.cpp — where the MNIST-shaped training step's time goes: every GEMM
// of the 784-256-128-10 batch-256 step (forward, dW = X^T delta, dX = delta W^T) with the
// kernel table's sgemm (the path it chooses), its forced forms (A always packed, A never
// packed), the same shape without transposes, and OpenBLAS's cblas_sgemm, all alternated in one
// process (the VM's speed drifts). Prints the median time of each, its GFLOP/s and the median of
// the pairwise ratios OpenBLAS / sgemm (> 1: simdnn faster), then the micro-kernel's own rate on
// one tile in L1 (the ceiling of every call). One thread; SIMDNN_ISA caps the ISA (e.g. avx2);
// OPENBLAS_CORETYPE picks OpenBLAS's kernels (0.3.21 does not recognize this VM's CPU and falls
// back to Prescott's SSE3 kernels when it is unset).
//   c++ -std=c++20 -O2 -Ilib -Iinclude bench/ab/backward_gemm_ab.cpp
//       build/release/lib/libsimdnn.a -lopenblas -pthread -o build/backward_gemm_ab
//   OPENBLAS_NUM_THREADS=1 build/backward_gemm_ab 31
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernels/gemm/path.hpp"
#include "kernels/table.hpp"

namespace {

struct call {
  const char* name;
  bool ta, tb;
  std::size_t m, n, k, lda, ldb, ldc;
};

// The first 64-byte aligned float at or after p (the micro-kernel wants aligned panels).
float* align_up(float* p) {
  const auto bits = reinterpret_cast<std::uintptr_t>(p);
  return p + ((64 - bits % 64) % 64) / sizeof(float);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const char* path_name(simdnn::kernels::gemm::path p) {
  using simdnn::kernels::gemm::path;
  switch (p) {
    case path::nothing:
      return "nothing";
    case path::scale_c:
      return "scale_c";
    case path::small:
      return "small";
    case path::single_row:
      return "single_row";
    case path::blocked:
      return "blocked";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  const simdnn::kernels::kernel_table& k = simdnn::kernels::best_kernels();
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 21, iterations = 20;
  const call calls[] = {
      {"fwd L1 X W", false, false, 256, 256, 784, 784, 256, 256},
      {"fwd L2", false, false, 256, 128, 256, 256, 128, 128},
      {"fwd L3", false, false, 256, 10, 128, 128, 10, 10},
      {"dW3 = A1^T d3", true, false, 128, 10, 256, 128, 10, 10},
      {"dX3 = d3 W3^T", false, true, 256, 128, 10, 10, 10, 128},
      {"dW2 = A0^T d2", true, false, 256, 128, 256, 256, 128, 128},
      {"dX2 = d2 W2^T", false, true, 256, 256, 128, 128, 128, 256},
      {"dW1 = X^T d1", true, false, 784, 256, 256, 784, 256, 256},
  };
  std::vector<float> a(784 * 784), b(784 * 784), c(784 * 784);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i % 97) / 97.0f;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = (static_cast<float>(i % 89) / 89.0f - 0.5f);
  std::vector<float> workspace(simdnn::kernels::sgemm_workspace_floats(k.blocking, 784, 784, 784) +
                               16);
  // Variants: 0 sgemm, 1 packed A, 2 unpacked A, 3 same shape NN (contiguous operands),
  // 4 cblas_sgemm same transposes.
  constexpr int variants = 5;
  const char* variant_names[variants] = {"sgemm", "packedA", "unpackA", "NN same", "openblas"};
  auto run = [&](const call& g, int v) {
    switch (v) {
      case 0:
        k.sgemm(g.ta, g.tb, g.m, g.n, g.k, 1.0f, a.data(), g.lda, b.data(), g.ldb, 0.0f, c.data(),
                g.ldc, workspace.data());
        break;
      case 1:
        k.sgemm_packed_a(g.ta, g.tb, g.m, g.n, g.k, 1.0f, a.data(), g.lda, b.data(), g.ldb, 0.0f,
                         c.data(), g.ldc, workspace.data());
        break;
      case 2:
        k.sgemm_unpacked_a(g.ta, g.tb, g.m, g.n, g.k, 1.0f, a.data(), g.lda, b.data(), g.ldb, 0.0f,
                           c.data(), g.ldc, workspace.data());
        break;
      case 3:
        k.sgemm(false, false, g.m, g.n, g.k, 1.0f, a.data(), g.k, b.data(), g.n, 0.0f, c.data(),
                g.n, workspace.data());
        break;
      case 4:
        cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans,
                    g.tb ? CblasTrans : CblasNoTrans, static_cast<int>(g.m), static_cast<int>(g.n),
                    static_cast<int>(g.k), 1.0f, a.data(), static_cast<int>(g.lda), b.data(),
                    static_cast<int>(g.ldb), 0.0f, c.data(), static_cast<int>(g.ldc));
        break;
    }
  };
  std::vector<double> t[std::size(calls)][variants];
  for (int r = 0; r < repetitions; ++r) {
    for (std::size_t i = 0; i < std::size(calls); ++i) {
      for (int v0 = 0; v0 < variants; ++v0) {
        const int v = (v0 + r) % variants;
        run(calls[i], v);  // warm
        const auto start = std::chrono::steady_clock::now();
        for (int it = 0; it < iterations; ++it) run(calls[i], v);
        const std::chrono::duration<double, std::micro> d =
            std::chrono::steady_clock::now() - start;
        t[i][v].push_back(d.count() / iterations);
      }
    }
  }
  const std::size_t width = k.blocking.nr / 2;  // NR is two vectors on every ISA
  std::printf("%s (MR x NR %zu x %zu), median us over %d samples of %d calls (GFLOP/s)\n", k.name,
              k.blocking.mr, k.blocking.nr, repetitions, iterations);
  std::printf("%-16s %-7s %-5s %-5s", "call", "path", "packA", "inB");
  for (const char* n : variant_names) std::printf(" %16s", n);
  std::printf(" %9s\n", "blas/sgemm");
  for (std::size_t i = 0; i < std::size(calls); ++i) {
    const call& g = calls[i];
    namespace gm = simdnn::kernels::gemm;
    const gm::geometry geo{width, k.blocking.mr, k.blocking.nr};
    std::printf(
        "%-16s %-7s %-5d %-5d", g.name,
        path_name(gm::choose_path(g.ta, g.tb, g.m, g.n, g.k, false)),
        gm::pack_a(gm::a_packing::automatic, std::min<std::size_t>(g.n, k.blocking.nc), geo),
        gm::b_in_place(gm::a_packing::automatic, g.tb, g.m, g.ldb));
    for (int v = 0; v < variants; ++v) {
      const double us = median(t[i][v]);
      std::printf(" %8.1f (%5.1f)", us, 2.0 * g.m * g.n * g.k / us / 1e3);
    }
    // The median of the pairwise ratios (samples taken close together), not of the medians.
    std::vector<double> ratios;
    for (std::size_t r = 0; r < t[i][0].size(); ++r) ratios.push_back(t[i][4][r] / t[i][0][r]);
    std::printf(" %9.2f\n", median(ratios));
  }
  // The micro-kernel's ceiling: one MR x NR tile, kc = KC, panels in L1, C stored each call.
  {
    const std::size_t kc = k.blocking.kc, mr = k.blocking.mr, nr = k.blocking.nr;
    float* ap = align_up(workspace.data());
    float* bp = ap + mr * kc;
    for (std::size_t i = 0; i < (mr + nr) * kc; ++i) ap[i] = 0.001f * static_cast<float>(i % 13);
    std::vector<double> us;
    for (int r = 0; r < repetitions; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (int it = 0; it < 2000; ++it) {
        k.sgemm_micro_kernel(kc, ap, bp, c.data(), nr, 1.0f, 0.0f, mr, nr);
      }
      const std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - start;
      us.push_back(d.count() / 2000);
    }
    std::printf("micro-kernel %zux%zu kc %zu in L1: %.1f GFLOP/s\n", mr, nr, kc,
                2.0 * mr * nr * kc / median(us) / 1e3);
  }
  return 0;
}
