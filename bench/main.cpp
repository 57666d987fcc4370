// simdnn_bench — Google Benchmark driver. Kernel benchmarks are registered per supported ISA at
// start-up; the active ISA (after any SIMDNN_ISA cap) is recorded in the JSON context.
#include <benchmark/benchmark.h>

#include <string>

#include "bench_support.hpp"

int main(int argc, char** argv) {
  benchmark::AddCustomContext("simdnn_active_isa", simdnn::isa_name(simdnn::active_isa()));
  std::string supported;
  for (simdnn::isa which : simdnn::supported_isas()) {
    supported += supported.empty() ? "" : ",";
    supported += simdnn::isa_name(which);
  }
  benchmark::AddCustomContext("simdnn_supported_isas", supported);
  simdnn::bench::register_sgemm_benchmarks();
  simdnn::bench::register_sigmoid_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
