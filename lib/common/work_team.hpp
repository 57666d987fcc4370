// lib/common/work_team.hpp — a fixed team of worker threads that runs one task in parts.
//
// run(task, context) calls task(context, part) for part = 0 .. parts() - 1, part 0 on the calling
// thread and each other part on its own worker, and returns when every part has returned. Inside
// a task, sync() is a barrier across the parts: every part must call it the same number of times
// (SPMD style), so a task can run several dependent stages (a network's layers) for one wake-up.
// Writes made before a sync() (or before run() returns) are visible to every part after it.
//
// Real-time use: the workers are started by the constructor, which may throw
// (std::system_error) and allocates; after it run() and sync() never allocate, never lock a
// mutex and never throw. A waiting part spins briefly (a barrier inside one task is usually
// reached within microseconds), then sleeps in std::atomic::wait (a futex), so idle workers cost
// no CPU. One run() at a time: the owner (a network) is used by one thread at a time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

namespace simdnn::detail {

class work_team {
 public:
  using task_fn = void (*)(void* context, std::size_t part) noexcept;

  // Starts `workers` threads (parts() == workers + 1). Throws std::system_error if one cannot be
  // started (those already started are stopped first).
  explicit work_team(std::size_t workers);
  ~work_team();
  work_team(const work_team&) = delete;
  work_team& operator=(const work_team&) = delete;

  [[nodiscard]] std::size_t parts() const noexcept { return workers_ + 1; }

  void run(task_fn task, void* context) noexcept;
  void sync() noexcept;

 private:
  void work(std::size_t part) noexcept;
  void stop() noexcept;

  std::size_t workers_ = 0;
  std::unique_ptr<std::thread[]> threads_;
  std::size_t started_ = 0;
  // Written by run() before `generation_` is bumped, read by the workers after they see it.
  task_fn task_ = nullptr;
  void* context_ = nullptr;
  // Each on its own cache line: the barrier's counter is hammered while workers poll the rest.
  alignas(64) std::atomic<std::uint32_t> generation_{0};  // one more per run(); wakes workers
  alignas(64) std::atomic<std::uint32_t> phase_{0};       // one more per completed barrier
  alignas(64) std::atomic<std::size_t> arrived_{0};       // parts at the current barrier
  std::atomic<bool> stopping_{false};
};

}  // namespace simdnn::detail
