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

// 0: train step, 1 thread; 1: forward (batch 256), 1 thread; 2, 3: the same with 2 threads.
std::unique_ptr<simdnn::network> make_network(const simdnn::bench::mnist_batch& data, int task) {
  simdnn::network_options options = simdnn::bench::mnist_batch::options();
  options.threads = task >= 2 ? 2 : 1;
  return std::make_unique<simdnn::network>(data.widths, options);
}

bool run_once(simdnn::network& net, const simdnn::bench::mnist_batch& data, int task) {
  constexpr std::size_t batch = simdnn::bench::mnist_batch::batch;
  if (task % 2 == 0) {
    return static_cast<bool>(net.train_batch(data.inputs, data.targets, batch, data.learning_rate));
  }
  return static_cast<bool>(net.forward(data.inputs, batch));
}

}  // namespace

// Seconds for `iterations` calls of `task` (see make_network), or a negative value on failure.
// The network is built, warmed by one call, timed and destroyed here, so a two-thread network's
// worker exists only while its own side is timed (the other side's idle worker would otherwise
// compete for the machine's two cores).
extern "C" __attribute__((visibility("default"))) double simdnn_ab_time(int task, int iterations) {
  static const simdnn::bench::mnist_batch data;
  const std::unique_ptr<simdnn::network> net = make_network(data, task);
  if (!run_once(*net, data, task)) return -1.0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    if (!run_once(*net, data, task)) return -1.0;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The ISA the side's library dispatches to (its own SIMDNN_ISA reading).
extern "C" __attribute__((visibility("default"))) const char* simdnn_ab_isa() {
  return simdnn::isa_name(simdnn::network(std::vector<std::size_t>{2, 2}).kernels());
}
