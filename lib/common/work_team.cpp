// lib/common/work_team.cpp — the worker team (contract in work_team.hpp). Compiled for the
// baseline ISA.
#include "common/work_team.hpp"

#include <system_error>

namespace simdnn::detail {

namespace {

// Polls before sleeping. A barrier inside a task is typically reached within microseconds, far
// sooner than a futex round trip (tens of microseconds on a VM); past that the waiter sleeps.
constexpr int kSpinPolls = 2048;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Returns once `value` no longer holds `seen` (acquire).
void wait_for_change(const std::atomic<std::uint32_t>& value, std::uint32_t seen) noexcept {
  for (int poll = 0; poll < kSpinPolls; ++poll) {
    if (value.load(std::memory_order_acquire) != seen) return;
    cpu_relax();
  }
  while (value.load(std::memory_order_acquire) == seen) value.wait(seen, std::memory_order_acquire);
}

}  // namespace

work_team::work_team(std::size_t workers)
    : workers_(workers), threads_(std::make_unique<std::thread[]>(workers)) {
  try {
    for (; started_ < workers; ++started_) {
      const std::size_t part = started_ + 1;
      threads_[started_] = std::thread([this, part] { work(part); });
    }
  } catch (...) {
    stop();
    throw;
  }
}

work_team::~work_team() {
  stop();
}

void work_team::stop() noexcept {
  stopping_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::size_t w = 0; w < started_; ++w) threads_[w].join();
  started_ = 0;
}

void work_team::run(task_fn task, void* context) noexcept {
  task_ = task;
  context_ = context;
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  task(context, 0);
  // The closing barrier: every part has finished (and its writes are visible) past it.
  sync();
}

void work_team::sync() noexcept {
  const std::size_t parts = workers_ + 1;
  if (parts == 1) return;
  // Read before arriving: the phase cannot advance until this part has arrived.
  const std::uint32_t phase = phase_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
    // Last to arrive: reset the count for the next barrier, then release everyone. Parts leaving
    // see the reset (it precedes the release), so their next arrival counts from zero.
    arrived_.store(0, std::memory_order_relaxed);
    phase_.fetch_add(1, std::memory_order_release);
    phase_.notify_all();
    return;
  }
  wait_for_change(phase_, phase);
}

void work_team::work(std::size_t part) noexcept {
  std::uint32_t seen = 0;
  for (;;) {
    wait_for_change(generation_, seen);
    // One run() cannot start before this part has arrived at the previous one's closing
    // barrier, so the generation moved by exactly one.
    ++seen;
    if (stopping_.load(std::memory_order_relaxed)) return;
    task_(context_, part);
    sync();
  }
}

}  // namespace simdnn::detail
