// bench/ab/ab_entry.cpp — one side of the in-process A/B harness (ab_main.cpp): compiled and
// linked once per library build into its own shared object, which exports only simdnn_ab_time.
// Both sides time the same tasks on the same fixed-seed data (bench/nn/network_setups.hpp), so the
// harness can alternate them in one process: the VM's speed drifts by up to 1.5x within minutes,
// and only same-process, interleaved ratios mean anything there.
#include <chrono>
#include <cstdio>
#include <memory>

#include "nn/network_setups.hpp"
#include "simdnn/network.hpp"

namespace {

struct task_state {
  simdnn::bench::mnist_batch data;
  std::unique_ptr<simdnn::network> net;
};

// 0: train step, 1 thread; 1: forward (batch 256), 1 thread; 2, 3: the same with 2 threads.
task_state& state_for(int task) {
  static task_state states[4];
  task_state& s = states[task];
  if (!s.net) {
    simdnn::network_options options = simdnn::bench::mnist_batch::options();
    options.threads = task >= 2 ? 2 : 1;
    s.net = std::make_unique<simdnn::network>(s.data.widths, options);
  }
  return s;
}

}  // namespace

// Seconds for `iterations` calls of `task` (see state_for), or a negative value on failure.
extern "C" __attribute__((visibility("default"))) double simdnn_ab_time(int task,
                                                                        int iterations) {
  task_state& s = state_for(task);
  constexpr std::size_t batch = simdnn::bench::mnist_batch::batch;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    if (task % 2 == 0) {
      if (!s.net->train_batch(s.data.inputs, s.data.targets, batch, s.data.learning_rate)) {
        return -1.0;
      }
    } else if (!s.net->forward(s.data.inputs, batch)) {
      return -1.0;
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The ISA the side's library dispatches to (its own SIMDNN_ISA reading).
extern "C" __attribute__((visibility("default"))) const char* simdnn_ab_isa() {
  return simdnn::isa_name(state_for(0).net->kernels());
}
