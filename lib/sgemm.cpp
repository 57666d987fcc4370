// lib/sgemm.cpp — public SGEMM entry points: validate once, then dispatch to the active ISA's
// blocked kernel. Validation happens before anything is read or written, so a rejected call
// leaves C untouched.
#include "simdnn/sgemm.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kernels/table.hpp"

namespace simdnn {

namespace kernels {

sgemm_workspace_parts sgemm_workspace_layout(const gemm_blocking& blocking, std::size_t m,
                                             std::size_t n, std::size_t k) noexcept {
  if (m == 0 || n == 0 || k == 0) return {0, 0, 0};
  // Every public call sizes its workspace: no division where the step is a power of two.
  const auto round_up = [](std::size_t value, std::size_t step) {
    if ((step & (step - 1)) == 0) return (value + step - 1) & ~(step - 1);
    return (value + step - 1) / step * step;
  };
  const std::size_t kc = k < blocking.kc ? k : blocking.kc;
  const std::size_t rows = round_up(m < blocking.mc ? m : blocking.mc, blocking.mr);
  const std::size_t cols = round_up(n < blocking.nc ? n : blocking.nc, blocking.nr);
  const std::size_t packed_a = round_up(rows * kc, 16), packed_b = cols * kc;
  return {packed_a, packed_b, packed_a + packed_b + 16};
}

std::size_t sgemm_workspace_floats(const gemm_blocking& blocking, std::size_t m, std::size_t n,
                                   std::size_t k) noexcept {
  return sgemm_workspace_layout(blocking, m, n, k).total;
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
    fail(std::string("ld") + name + " (" + std::to_string(ld) +
         ") is smaller than the row length of " +
         (name[0] == 'a'   ? "A"
          : name[0] == 'b' ? "B"
                           : "C") +
         " (" + std::to_string(row_length) + ")");
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

// Below this, (rows - 1) * ld + row_length floats cannot overflow a byte offset.
constexpr std::size_t kNoOverflowExtent = std::size_t{1} << 28;

// The common case in a few comparisons: an operand whose checks check_operand would pass.
// Tiny products are latency-bound, so the public call should cost little more than the kernel.
inline bool operand_plainly_valid(const float* data, std::size_t rows, std::size_t row_length,
                                  std::size_t ld, bool needed) noexcept {
  return ld >= row_length &&
         (!needed || (data != nullptr && rows < kNoOverflowExtent && ld < kNoOverflowExtent));
}

void validate(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
              const float* a, std::size_t lda, const float* b, std::size_t ldb, const float* c,
              std::size_t ldc) {
  const bool writes_c = m != 0 && n != 0;
  const bool reads_ab = writes_c && k != 0 && alpha != 0.0f;
  // Stored shapes: A is m x k, or k x m when transposed; B is k x n, or n x k.
  const bool ta = op_a == op::transpose, tb = op_b == op::transpose;
  if (operand_plainly_valid(a, ta ? k : m, ta ? m : k, lda, reads_ab) &&
      operand_plainly_valid(b, tb ? n : k, tb ? k : n, ldb, reads_ab) &&
      operand_plainly_valid(c, m, n, ldc, writes_c)) {
    return;
  }
  // Either an error, named by the first check that fails, or a huge extent checked in full.
  check_operand("a", a, ta ? k : m, ta ? m : k, lda, reads_ab);
  check_operand("b", b, tb ? n : k, tb ? k : n, ldb, reads_ab);
  check_operand("c", c, m, n, ldc, writes_c);
}

struct gemm_call {
  bool trans_a, trans_b;
  std::size_t m, n, k;
  float alpha;
  const float* a;
  std::size_t lda;
  const float* b;
  std::size_t ldb;
  float beta;
  float* c;
  std::size_t ldc;
  kernels::sgemm_fn kernel;  // the active table's sgemm, looked up once per call
};

// Columns [first, last) of C: the same product with B and C offset, so every element is computed
// by exactly the same sequence of operations as in the single-threaded call.
void run_columns(const gemm_call& g, std::size_t first, std::size_t last,
                 float* workspace) noexcept {
  if (first >= last) return;
  const float* b = g.trans_b ? g.b + first * g.ldb : g.b + first;
  g.kernel(g.trans_a, g.trans_b, g.m, last - first, g.k, g.alpha, g.a, g.lda, b, g.ldb, g.beta,
           g.c + first, g.ldc, workspace);
}

// The opt-in pool: workers started once, each owning a workspace sized for the largest packing
// any call can need (one MC x KC block of A and one KC x NC block of B), so a call allocates
// nothing. A call publishes its arguments, bumps a generation counter and wakes the workers
// (std::atomic wait/notify: no locks, no allocation); each worker takes its column share and
// counts down `pending`; the caller computes its own share, then waits for pending == 0.
class sgemm_pool {
 public:
  explicit sgemm_pool(std::size_t workers) {
    const auto& blocking = kernels::best_kernels().blocking;
    const std::size_t floats =
        kernels::sgemm_workspace_floats(blocking, blocking.mc, blocking.nc, blocking.kc);
    slots_ = std::make_unique<worker_slot[]>(workers);
    worker_count_ = workers;
    for (std::size_t w = 0; w < workers; ++w) slots_[w].workspace.resize(floats);
    threads_.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { work(w); });
  }

  ~sgemm_pool() {
    stopping_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  sgemm_pool(const sgemm_pool&) = delete;
  sgemm_pool& operator=(const sgemm_pool&) = delete;

  std::size_t threads() const noexcept { return worker_count_ + 1; }

  void run(const gemm_call& g, float* caller_workspace) noexcept {
    const std::lock_guard<std::mutex> serialize(call_mutex_);
    call_ = g;
    const std::size_t parts = worker_count_ + 1;
    // Shares rounded to whole register tiles so no thread gets a sliver of edge work.
    const std::size_t step = kernels::best_kernels().blocking.nr;
    const std::size_t share = (g.n / parts + step - 1) / step * step;
    share_ = share;
    pending_.store(worker_count_, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    run_columns(g, 0, share < g.n ? share : g.n, caller_workspace);
    for (std::size_t left = pending_.load(std::memory_order_acquire); left != 0;
         left = pending_.load(std::memory_order_acquire)) {
      pending_.wait(left, std::memory_order_acquire);
    }
  }

 private:
  struct worker_slot {
    std::vector<float> workspace;
  };

  void work(std::size_t index) noexcept {
    std::uint64_t seen = 0;
    for (;;) {
      generation_.wait(seen, std::memory_order_acquire);
      seen = generation_.load(std::memory_order_acquire);
      if (stopping_.load(std::memory_order_relaxed)) return;
      const std::size_t first = share_ * (index + 1);
      const std::size_t last = first + share_;
      run_columns(call_, first < call_.n ? first : call_.n, last < call_.n ? last : call_.n,
                  slots_[index].workspace.data());
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
    }
  }

  std::unique_ptr<worker_slot[]> slots_;
  std::size_t worker_count_ = 0;
  std::vector<std::thread> threads_;
  std::mutex call_mutex_;
  gemm_call call_{};
  std::size_t share_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> stopping_{false};
};

std::mutex pool_mutex;             // guards starting and stopping the pool
std::unique_ptr<sgemm_pool> pool;  // null: single-threaded (the default)
std::atomic<sgemm_pool*> active_pool{nullptr};

// Below this many multiply-adds, handing work to another core costs more than it saves.
constexpr double kParallelMinimumWork = double(1u << 22);

void run(const kernels::kernel_table& table, op op_a, op op_b, std::size_t m, std::size_t n,
         std::size_t k, float alpha, const float* a, std::size_t lda, const float* b,
         std::size_t ldb, float beta, float* c, std::size_t ldc, float* workspace) noexcept {
  sgemm_pool* parallel = active_pool.load(std::memory_order_acquire);
  if (parallel == nullptr) {
    // Single-threaded (the default): straight to the kernel.
    table.sgemm(op_a == op::transpose, op_b == op::transpose, m, n, k, alpha, a, lda, b, ldb, beta,
                c, ldc, workspace);
    return;
  }
  const gemm_call g{op_a == op::transpose,
                    op_b == op::transpose,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    lda,
                    b,
                    ldb,
                    beta,
                    c,
                    ldc,
                    table.sgemm};
  if (double(m) * double(n) * double(k) >= kParallelMinimumWork &&
      n >= parallel->threads() * table.blocking.nr && k != 0 && alpha != 0.0f) {
    parallel->run(g, workspace);
    return;
  }
  run_columns(g, 0, n, workspace);
}

}  // namespace

void set_sgemm_threads(std::size_t threads) {
  if (threads == 0 || threads > 64) {
    throw std::invalid_argument("simdnn::set_sgemm_threads: " + std::to_string(threads) +
                                " threads requested; 1 to 64 are allowed");
  }
  const std::lock_guard<std::mutex> lock(pool_mutex);
  active_pool.store(nullptr, std::memory_order_release);
  pool.reset();
  if (threads > 1) {
    pool = std::make_unique<sgemm_pool>(threads - 1);
    active_pool.store(pool.get(), std::memory_order_release);
  }
}

std::size_t sgemm_threads() noexcept {
  const sgemm_pool* parallel = active_pool.load(std::memory_order_acquire);
  return parallel == nullptr ? 1 : parallel->threads();
}

std::size_t sgemm_workspace_size(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return kernels::sgemm_workspace_floats(kernels::best_kernels().blocking, m, n, k) * sizeof(float);
}

void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc, std::span<std::byte> workspace) {
  validate(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  const kernels::kernel_table& table = kernels::best_kernels();
  const std::size_t needed =
      kernels::sgemm_workspace_floats(table.blocking, m, n, k) * sizeof(float);
  if (workspace.size() < needed) {
    fail("workspace of " + std::to_string(workspace.size()) + " bytes is smaller than the " +
         std::to_string(needed) + " bytes sgemm_workspace_size() asks for");
  }
  run(table, op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
      reinterpret_cast<float*>(workspace.data()));
}

void sgemm(op op_a, op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc) {
  validate(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  // Grows to the largest problem this thread has seen, then is reused: no per-call allocation.
  thread_local std::vector<float> buffer;
  const kernels::kernel_table& table = kernels::best_kernels();
  const std::size_t needed = kernels::sgemm_workspace_floats(table.blocking, m, n, k);
  if (buffer.size() < needed) buffer.resize(needed);
  run(table, op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buffer.data());
}

}  // namespace simdnn
