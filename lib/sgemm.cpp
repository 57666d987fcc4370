// lib/sgemm.cpp — public SGEMM entry points: validate once, then dispatch to the active ISA's
// blocked kernel. Validation happens before anything is read or written, so a rejected call
// leaves C untouched.
#include "simdnn/sgemm.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/table.hpp"

namespace simdnn {
namespace kernels {

std::size_t sgemm_workspace_floats(const gemm_blocking& blocking, std::size_t m, std::size_t n,
                                   std::size_t k) noexcept {
  if (m == 0 || n == 0 || k == 0) return 0;
  auto round_up = [](std::size_t value, std::size_t step) { return (value + step - 1) / step * step; };
  const std::size_t kc = k < blocking.kc ? k : blocking.kc;
  const std::size_t rows = round_up(m < blocking.mc ? m : blocking.mc, blocking.mr);
  const std::size_t cols = round_up(n < blocking.nc ? n : blocking.nc, blocking.nr);
  // Packed A rounded to 16 floats keeps packed B 64-byte aligned; +16 floats aligns the start.
  return round_up(rows * kc, 16) + cols * kc + 16;
}

}  // namespace kernels

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("simdnn::sgemm: " + what);
}

// Checks one stored operand: `rows` x `row_length` with leading dimension `ld`. `needed` is false
// when the operand will not be read (then a null pointer is fine).
void check_operand(const char* name, const float* data, std::size_t rows, std::size_t row_length,
                   std::size_t ld, bool needed) {
  if (ld < row_length) {
    fail(std::string("ld") + name + " (" + std::to_string(ld) + ") is smaller than the row length of " +
         (name[0] == 'a' ? "A" : name[0] == 'b' ? "B" : "C") + " (" + std::to_string(row_length) +
         ")");
  }
  if (!needed || rows == 0 || row_length == 0) return;
  if (data == nullptr) {
    fail(std::string(name) + " is null but " + std::to_string(rows) + " x " +
         std::to_string(row_length) + " elements are to be accessed");
  }
  // The last element touched is (rows - 1) * ld + row_length - 1; its byte offset must fit.
  std::size_t offset = 0;
  if (__builtin_mul_overflow(rows - 1, ld, &offset) ||
      __builtin_add_overflow(offset, row_length, &offset) ||
      __builtin_mul_overflow(offset, sizeof(float), &offset)) {
    fail(std::string("the extent of ") + name + " (" + std::to_string(rows) + " rows, ld" + name +
         " " + std::to_string(ld) + ") overflows the address space");
  }
}

void validate(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
              const float* a, std::size_t lda, const float* b, std::size_t ldb, const float* c,
              std::size_t ldc) {
  const bool writes_c = m != 0 && n != 0;
  const bool reads_ab = writes_c && k != 0 && alpha != 0.0f;
  // Stored shapes: A is m x k, or k x m when transposed; B is k x n, or n x k.
  const bool ta = op_a == op::transpose, tb = op_b == op::transpose;
  check_operand("a", a, ta ? k : m, ta ? m : k, lda, reads_ab);
  check_operand("b", b, tb ? n : k, tb ? k : n, ldb, reads_ab);
  check_operand("c", c, m, n, ldc, writes_c);
}

void run(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
         std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc,
         float* workspace) noexcept {
  kernels::best_kernels().sgemm(op_a == op::transpose, op_b == op::transpose, m, n, k, alpha, a,
                                lda, b, ldb, beta, c, ldc, workspace);
}

}  // namespace

std::size_t sgemm_workspace_size(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return kernels::sgemm_workspace_floats(kernels::best_kernels().blocking, m, n, k) * sizeof(float);
}

void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc, std::span<std::byte> workspace) {
  validate(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  const std::size_t needed = sgemm_workspace_size(m, n, k);
  if (workspace.size() < needed) {
    fail("workspace of " + std::to_string(workspace.size()) + " bytes is smaller than the " +
         std::to_string(needed) + " bytes sgemm_workspace_size() asks for");
  }
  run(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
      reinterpret_cast<float*>(workspace.data()));
}

void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc) {
  validate(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  // Grows to the largest problem this thread has seen, then is reused: no per-call allocation.
  thread_local std::vector<float> buffer;
  const std::size_t needed =
      kernels::sgemm_workspace_floats(kernels::best_kernels().blocking, m, n, k);
  if (buffer.size() < needed) buffer.resize(needed);
  run(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buffer.data());
}

}  // namespace simdnn
