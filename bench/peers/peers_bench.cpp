// simdnn_bench_peers — simdnn's SGEMM against OpenBLAS and libxsmm on the same shapes and the
// same fixed-seed data, in one process, one thread. Built only with -DSIMDNN_BENCH_PEERS=ON; the
// peers are linked into this executable, never into the library. tools/bench-peers runs it and
// prints the table.
//
// Names: gemm/<op_a><op_b>/<m>x<k>x<n>/<implementation>, shapes as (m, k, n) like simdnn_bench:
//   simdnn-<isa>      the active ISA's kernel-table entry (what the network calls), with a
//                     workspace of kernels::sgemm_workspace_floats(...) allocated before timing
//   simdnn-api-<isa>  the public simdnn::sgemm with a caller workspace span (adds its checks)
//   openblas          cblas_sgemm, row-major, one thread; the core OpenBLAS chose is in the
//                     context (openblas_core)
//   libxsmm           a JIT kernel dispatched once, or libxsmm's tiled GEMM set up once (the
//                     label says which, see libxsmm_peer.hpp); skipped with an error if neither
// The active ISA honours SIMDNN_ISA, so SIMDNN_ISA=avx2 measures the AVX2 path on any machine.
// peak/fma/<isa> measures this core's FMA throughput in the same process (bench/arch), so every
// FLOPS figure reads as a fraction of peak; micro/<MRxNR>/kc<kc>/simdnn-<isa> is the register
// micro-kernel alone on cache-resident packed panels, the ceiling of simdnn's blocked loops.
// Each implementation's result is checked once before timing (operands.hpp); a wrong result is
// reported with SkipWithError, never timed.
// The network tasks against Eigen (net/<task>/<impl>) are in network_peers_bench.cpp.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <libxsmm.h>

#include <cstdlib>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "bench_support.hpp"
#include "peers/eigen_peer.hpp"
#include "peers/libxsmm_peer.hpp"
#include "peers/operands.hpp"
#include "simdnn/sgemm.hpp"

namespace simdnn::bench::peers {
namespace {

// Runs `call` once and checks its result, then times it. The operands are reused across
// iterations, so small shapes run from cache, for every implementation alike.
template <class Call>
void time_gemm(benchmark::State& state, const gemm_case& g, operands& x, Call call) {
  call();
  if (!product_matches(g, x)) {
    state.SkipWithError("result is not op(A) op(B) within (k + 2) eps sum |a b|");
    return;
  }
  for (auto _ : state) {
    call();
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(g.m) * double(g.n) * double(g.k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void run_simdnn_table(benchmark::State& state, const gemm_case& g,
                      const kernels::kernel_table* table) {
  operands x(g);
  std::vector<float> workspace(kernels::sgemm_workspace_floats(table->blocking, g.m, g.n, g.k));
  time_gemm(state, g, x, [&] {
    table->sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, 1.0f, x.a.data(), x.lda, x.b.data(), x.ldb,
                 0.0f, x.c.data(), x.ldc, workspace.data());
  });
}

void run_simdnn_api(benchmark::State& state, const gemm_case& g) {
  operands x(g);
  std::vector<std::byte> workspace(sgemm_workspace_size(g.m, g.n, g.k));
  const op op_a = g.trans_a ? op::transpose : op::none, op_b = g.trans_b ? op::transpose : op::none;
  time_gemm(state, g, x, [&] {
    sgemm(op_a, op_b, g.m, g.n, g.k, 1.0f, x.a.data(), x.lda, x.b.data(), x.ldb, 0.0f, x.c.data(),
          x.ldc, std::span<std::byte>(workspace));
  });
}

void run_openblas(benchmark::State& state, const gemm_case& g) {
  operands x(g);
  const auto blas_int = [](std::size_t value) { return static_cast<blasint>(value); };
  time_gemm(state, g, x, [&] {
    cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans,
                g.trans_b ? CblasTrans : CblasNoTrans, blas_int(g.m), blas_int(g.n), blas_int(g.k),
                1.0f, x.a.data(), blas_int(x.lda), x.b.data(), blas_int(x.ldb), 0.0f, x.c.data(),
                blas_int(x.ldc));
  });
}

void run_libxsmm(benchmark::State& state, const gemm_case& g) {
  operands x(g);
  libxsmm_gemm gemm(g, x);
  state.SetLabel(gemm.route());
  if (!gemm.available()) {
    state.SkipWithError("libxsmm has no kernel for this form (its sgemm would call OpenBLAS)");
    return;
  }
  time_gemm(state, g, x, [&] { gemm.run(x.a.data(), x.b.data(), x.c.data()); });
}

// The register micro-kernel alone on one packed MR x kc panel of A and kc x NR panel of B, reused
// every call (in L1 when they fit: (MR + NR) kc floats): the ceiling the blocked loops can reach,
// so a gap between this and simdnn-<isa> is packing, blocking or edge cost, not the kernel.
void run_micro_kernel(benchmark::State& state, const kernels::kernel_table* table, std::size_t kc) {
  const std::size_t mr = table->blocking.mr, nr = table->blocking.nr;
  operands x({false, false, mr, kc, nr});
  for (auto _ : state) {
    table->sgemm_micro_kernel(kc, x.a.data(), x.b.data(), x.c.data(), nr, 1.0f, 0.0f, mr, nr);
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(mr) * double(nr) * double(kc),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void run_peak(benchmark::State& state, const baselines* base) {
  constexpr std::size_t iterations = 1 << 16;
  for (auto _ : state) benchmark::DoNotOptimize(base->fma_peak(iterations));
  state.counters["FLOPS"] =
      benchmark::Counter(double(iterations) * double(base->fma_peak_flops_per_iteration),
                         benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<gemm_case> gemm_cases() {
  std::vector<gemm_case> list;
  for (std::size_t size : {64, 128, 256, 512, 1024, 2048}) {
    list.push_back({false, false, size, size, size});
  }
  for (std::size_t size : {512, 1024}) {
    list.push_back({true, false, size, size, size});
    list.push_back({false, true, size, size, size});
  }
  // Forward passes (m = batch, k = inputs, n = outputs): MNIST-sized layers at batch 256 and 32,
  // a wide 1024 layer, and the tiny Iris network of the notebook (150 samples, 4-10-3-1) plus
  // one-sample inference. Each comes with its two backprop forms: dW = X^T delta is TN with
  // (k, m, n); dX = delta W^T is NT with (m, n, k).
  const gemm_case forward[] = {
      {false, false, 256, 784, 256},   {false, false, 256, 256, 128}, {false, false, 256, 128, 10},
      {false, false, 128, 1024, 1024}, {false, false, 32, 784, 256},  {false, false, 32, 256, 128},
      {false, false, 32, 128, 10},     {false, false, 150, 4, 10},    {false, false, 150, 10, 3},
      {false, false, 150, 3, 1},       {false, false, 1, 4, 10},      {false, false, 1, 64, 64}};
  for (const gemm_case& f : forward) {
    list.push_back(f);
    list.push_back({true, false, f.k, f.m, f.n});
    list.push_back({false, true, f.m, f.n, f.k});
  }
  return list;
}

std::string case_name(const gemm_case& g) {
  return std::string("gemm/") + (g.trans_a ? "T" : "N") + (g.trans_b ? "T" : "N") + "/" +
         std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n) + "/";
}

void register_benchmarks() {
  for (isa which : supported_isas()) {
    const baselines* base = baselines_for(which);
    benchmark::RegisterBenchmark((std::string("peak/fma/") + isa_name(which)).c_str(),
                                 [base](benchmark::State& state) { run_peak(state, base); });
  }
  const kernels::kernel_table* table = &kernels::best_kernels();
  // 256 (the BLIS rule: the B panel fills half of a 32 KiB L1 with NR = 16) and the ISA's own KC.
  for (std::size_t kc : std::set<std::size_t>{256, table->blocking.kc}) {
    const std::string name = std::string("micro/") + table->gemm_tile + "/kc" + std::to_string(kc) +
                             "/simdnn-" + table->name;
    benchmark::RegisterBenchmark(
        name.c_str(), [table, kc](benchmark::State& state) { run_micro_kernel(state, table, kc); });
  }
  std::set<std::string> registered;
  for (const gemm_case& g : gemm_cases()) {
    const std::string prefix = case_name(g);
    if (!registered.insert(prefix).second) continue;
    benchmark::RegisterBenchmark(
        (prefix + "simdnn-" + table->name).c_str(),
        [g, table](benchmark::State& state) { run_simdnn_table(state, g, table); });
    benchmark::RegisterBenchmark((prefix + "simdnn-api-" + table->name).c_str(),
                                 [g](benchmark::State& state) { run_simdnn_api(state, g); });
    benchmark::RegisterBenchmark((prefix + "openblas").c_str(),
                                 [g](benchmark::State& state) { run_openblas(state, g); });
    benchmark::RegisterBenchmark((prefix + "libxsmm").c_str(),
                                 [g](benchmark::State& state) { run_libxsmm(state, g); });
  }
}

void add_context() {
  const kernels::kernel_table& table = kernels::best_kernels();
  benchmark::AddCustomContext("simdnn_active_isa", table.name);
  benchmark::AddCustomContext("simdnn_gemm_tile", table.gemm_tile);
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  benchmark::AddCustomContext("openblas_config", openblas_get_config());
  benchmark::AddCustomContext("openblas_threads", std::to_string(openblas_get_num_threads()));
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("openblas_coretype_env", coretype != nullptr ? coretype : "(unset)");
  benchmark::AddCustomContext("libxsmm_version", LIBXSMM_VERSION);
  benchmark::AddCustomContext("libxsmm_target", libxsmm_get_target_arch());
}

}  // namespace
}  // namespace simdnn::bench::peers

int main(int argc, char** argv) {
  // One thread for every peer: the goal is single-core throughput, and the machine is shared.
  openblas_set_num_threads(1);
  libxsmm_init();
  simdnn::bench::peers::add_context();
  simdnn::bench::peers::register_benchmarks();
  simdnn::bench::peers::register_network_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  libxsmm_finalize();
  return 0;
}
