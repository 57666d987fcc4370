// bench/peers/operands.hpp — one row-major product's operands, the same fixed-seed data for every
// implementation, and a check that a computed C is op(A) op(B) within simdnn's error bound.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "bench_support.hpp"

namespace simdnn::bench::peers {

// C (m x n) = op(A) (m x k) * op(B) (k x n), row-major, alpha 1, beta 0. Written (m, k, n) in
// names, like simdnn_bench and the issues' tables.
struct gemm_case {
  bool trans_a, trans_b;
  std::size_t m, k, n;
};

// 64-byte aligned, as simdnn's arena and any careful BLAS caller would allocate: no implementation
// gains or loses from where malloc happened to put a matrix.
class aligned_floats {
 public:
  explicit aligned_floats(std::size_t count)
      : data_(static_cast<float*>(::operator new(sizeof(float) * (count + 1), kAlignment))),
        size_(count) {}
  [[nodiscard]] float* data() noexcept { return data_.get(); }
  [[nodiscard]] const float* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  static constexpr std::align_val_t kAlignment{64};
  struct release {
    void operator()(float* p) const noexcept { ::operator delete(p, kAlignment); }
  };
  std::unique_ptr<float, release> data_;
  std::size_t size_;
};

struct operands {
  explicit operands(const gemm_case& g)
      : a(g.m * g.k),
        b(g.k * g.n),
        c(g.m * g.n),
        lda(g.trans_a ? g.m : g.k),
        ldb(g.trans_b ? g.k : g.n),
        ldc(g.n) {
    // Seeds 1 and 2, as simdnn_bench: the same A and B for every implementation of a shape.
    copy(random_floats(a.size(), 1, -1.0f, 1.0f), a);
    copy(random_floats(b.size(), 2, -1.0f, 1.0f), b);
    for (std::size_t i = 0; i < c.size(); ++i) c.data()[i] = 0.0f;
  }

  aligned_floats a, b, c;
  std::size_t lda, ldb, ldc;

 private:
  static void copy(const std::vector<float>& from, aligned_floats& to) {
    for (std::size_t i = 0; i < from.size(); ++i) to.data()[i] = from[i];
  }
};

// Whether x.c holds op(A) op(B) within the bound simdnn documents (and any BLAS meets):
// |c - exact| <= (k + 2) eps sum_p |a b|. A full reference costs O(mnk) in double (seconds at
// 2048^3), so the check is a random projection (Freivalds): for a random vector v, C v and
// op(A) (op(B) v) must agree in every row within the bound applied to |op(A)| (|op(B)| |v|),
// all in double, O(mk + kn + mn). A transposition mix-up or a wrong leading dimension fails it.
[[nodiscard]] inline bool product_matches(const gemm_case& g, const operands& x) {
  const auto op_a = [&](std::size_t i, std::size_t p) {
    return static_cast<double>(g.trans_a ? x.a.data()[p * x.lda + i] : x.a.data()[i * x.lda + p]);
  };
  const auto op_b = [&](std::size_t p, std::size_t j) {
    return static_cast<double>(g.trans_b ? x.b.data()[j * x.ldb + p] : x.b.data()[p * x.ldb + j]);
  };
  const std::vector<float> v = random_floats(g.n, 3, -1.0f, 1.0f);
  std::vector<double> bv(g.k, 0.0), abs_bv(g.k, 0.0);
  for (std::size_t p = 0; p < g.k; ++p) {
    for (std::size_t j = 0; j < g.n; ++j) {
      bv[p] += op_b(p, j) * v[j];
      abs_bv[p] += std::fabs(op_b(p, j) * v[j]);
    }
  }
  const double gamma =
      static_cast<double>(g.k + 2) * static_cast<double>(std::numeric_limits<float>::epsilon());
  for (std::size_t i = 0; i < g.m; ++i) {
    double expected = 0.0, magnitude = 0.0, computed = 0.0;
    for (std::size_t p = 0; p < g.k; ++p) {
      expected += op_a(i, p) * bv[p];
      magnitude += std::fabs(op_a(i, p)) * abs_bv[p];
    }
    for (std::size_t j = 0; j < g.n; ++j) {
      computed += static_cast<double>(x.c.data()[i * x.ldc + j]) * v[j];
    }
    // Twice the bound: the double sums above round too, and NaN compares false.
    if (!(std::fabs(computed - expected) <= 2.0 * gamma * magnitude)) return false;
  }
  return true;
}

}  // namespace simdnn::bench::peers
