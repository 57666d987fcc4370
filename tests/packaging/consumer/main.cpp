// Uses the installed simdnn the way the README shows: one GEMM, one sigmoid, prints results.
#include <simdnn/activation.hpp>
#include <simdnn/isa.hpp>
#include <simdnn/sgemm.hpp>

#include <cstdio>
#include <vector>

int main() {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
  std::vector<float> c(4, 0.0f);
  simdnn::sgemm(simdnn::op::none, simdnn::op::none, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f,
                c.data(), 2);
  std::vector<float> s = {0.0f};
  simdnn::sigmoid(s, s);
  std::printf("isa=%s gemm=%g,%g,%g,%g sigmoid0=%g\n", simdnn::isa_name(simdnn::active_isa()),
              c[0], c[1], c[2], c[3], s[0]);
  return 0;
}
