// tests/nn/alloc_test.cpp — proof that a built network never allocates: this executable replaces
// every global operator new/delete and interposes the C allocator (malloc, calloc, realloc, free,
// aligned_alloc, posix_memalign, memalign, valloc, pvalloc; glibc lets an executable define
// them and forwards the real work to its __libc_* entry points), counts every call made while
// counting is on, and asserts that 100,000 training steps, 1,000,000 single-sample forward
// passes, two-thread training steps (network_options::threads: the workers' allocations count
// too) and 1,000,000 predictor::predict calls (simdnn/predictor.hpp) make none. A canary must
// see each replacement fire, so a silent hook cannot pass.
//
// Nothing inside a counted region may allocate on its own account: no gtest assertion (they
// build strings), no printing. Regions count, then the test asserts afterwards.
//
// Under AddressSanitizer or ThreadSanitizer the runtime owns malloc and operator new itself, and
// memory would cross between its allocator and glibc's; there the replacements are left out and
// the tests skip (the release and debug builds carry the proof).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <malloc.h>

#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"
#include "simdnn/sgemm.hpp"
#include "simdnn/train.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SIMDNN_ALLOC_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SIMDNN_ALLOC_TEST_SANITIZED 1
#endif
#endif

extern "C" {
// glibc's own allocator entry points, which the interposed functions below forward to.
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void __libc_free(void* pointer);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void* __libc_valloc(std::size_t size);
void* __libc_pvalloc(std::size_t size);
}

namespace {

constexpr bool replacements_installed =
#ifdef SIMDNN_ALLOC_TEST_SANITIZED
    false;
#else
    true;
#endif

std::atomic<bool> counting{false};
std::atomic<long> allocation_calls{0};
std::atomic<long> free_calls{0};

struct counts {
  long allocations;
  long frees;
};

void start_counting() noexcept {
  allocation_calls.store(0);
  free_calls.store(0);
  counting.store(true);
}
counts stop_counting() noexcept {
  counting.store(false);
  return {allocation_calls.load(), free_calls.load()};
}

// Keeps the compiler from proving a pointer unused and deleting the allocation that made it.
void escape(void* pointer) {
  asm volatile("" : : "g"(pointer) : "memory");
}

}  // namespace

#ifndef SIMDNN_ALLOC_TEST_SANITIZED
namespace {

void note_allocation() noexcept {
  if (counting.load(std::memory_order_relaxed)) {
    allocation_calls.fetch_add(1, std::memory_order_relaxed);
  }
}
// Every release call counts, even of a null pointer: the claim is "no calls", not "no leaks".
void note_free() noexcept {
  if (counting.load(std::memory_order_relaxed)) free_calls.fetch_add(1, std::memory_order_relaxed);
}

void* counted_new(std::size_t size) {
  note_allocation();
  if (void* p = __libc_malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* counted_new(std::size_t size, std::align_val_t alignment) {
  note_allocation();
  if (void* p = __libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* counted_new_nothrow(std::size_t size) noexcept {
  note_allocation();
  return __libc_malloc(size == 0 ? 1 : size);
}
void* counted_new_nothrow(std::size_t size, std::align_val_t alignment) noexcept {
  note_allocation();
  return __libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size);
}
void counted_delete(void* p) noexcept {
  note_free();
  __libc_free(p);
}

}  // namespace

// ---- The C allocator ------------------------------------------------------------------------
extern "C" {
void* malloc(std::size_t size) noexcept {
  note_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  note_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) noexcept {
  note_allocation();
  return __libc_realloc(pointer, size);
}
void free(void* pointer) noexcept {
  note_free();
  __libc_free(pointer);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  note_allocation();
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  note_allocation();
  return __libc_memalign(alignment, size);
}
void* valloc(std::size_t size) noexcept {
  note_allocation();
  return __libc_valloc(size);
}
void* pvalloc(std::size_t size) noexcept {
  note_allocation();
  return __libc_pvalloc(size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  note_allocation();
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}

// ---- Every replaceable global operator new and delete ---------------------------------------
void* operator new(std::size_t size) {
  return counted_new(size);
}
void* operator new[](std::size_t size) {
  return counted_new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_new_nothrow(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_new_nothrow(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return counted_new(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return counted_new(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return counted_new_nothrow(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return counted_new_nothrow(size, alignment);
}
void operator delete(void* p) noexcept {
  counted_delete(p);
}
void operator delete[](void* p) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  counted_delete(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counted_delete(p);
}
#endif  // SIMDNN_ALLOC_TEST_SANITIZED

namespace {

using simdnn::network;
using simdnn::network_options;
using simdnn::status;

constexpr long training_steps = 100'000;
constexpr long forward_passes = 1'000'000;
constexpr std::size_t train_batch_rows = 16;
constexpr std::array<std::size_t, 4> train_widths = {4, 10, 3, 3};
constexpr std::array<std::size_t, 4> infer_widths = {4, 10, 3, 1};

// Fixed-seed data for the counted loops, made before counting starts.
struct workload {
  std::vector<float> inputs, targets;  // 4 batches of 16 rows, one-hot targets
  std::vector<float> samples;          // 64 single samples of 4 features
  workload() {
    std::uint64_t state = 12345;
    const auto next = [&] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<float>(state >> 40) * 0x1.0p-24f * 2.0f - 1.0f;
    };
    for (std::size_t i = 0; i < 4 * train_batch_rows * 4; ++i) inputs.push_back(next());
    for (std::size_t r = 0; r < 4 * train_batch_rows; ++r) {
      for (std::size_t c = 0; c < 3; ++c) targets.push_back(c == r % 3 ? 1.0f : 0.0f);
    }
    for (std::size_t i = 0; i < 64 * 4; ++i) samples.push_back(next());
  }
};

struct loop_result {
  long failures = 0;
  float checksum = 0.0f;  // consumed after counting, so the loops cannot be dropped
};

// Empty when this run should go ahead, else why it is skipped: a sanitizer owns the allocator.
// (A run under an SIMDNN_ISA cap this machine cannot run never gets here: tests/isa_cap_guard.cpp
// skips it before the first test.)
const char* skip_reason() noexcept {
  if (!replacements_installed) return "a sanitizer replaces the allocator; nothing to count";
  return "";
}

loop_result run_training(network& net, const workload& data) noexcept {
  loop_result result;
  const std::size_t in = train_batch_rows * 4, out = train_batch_rows * 3;
  for (long step = 0; step < training_steps; ++step) {
    const auto which = static_cast<std::size_t>(step % 4);
    const auto loss =
        net.train_batch(std::span(data.inputs).subspan(which * in, in),
                        std::span(data.targets).subspan(which * out, out), train_batch_rows, 0.5f);
    if (!loss) ++result.failures;
    result.checksum += loss.value;
  }
  return result;
}

loop_result run_inference(network& net, const workload& data) noexcept {
  loop_result result;
  for (long pass = 0; pass < forward_passes; ++pass) {
    const auto which = static_cast<std::size_t>(pass % 64);
    const auto y = net.forward(std::span(data.samples).subspan(which * 4, 4), 1);
    if (!y) {
      ++result.failures;
      continue;
    }
    result.checksum += y.value[0];
  }
  return result;
}

TEST(AllocationCounter, CanarySeesEveryReplacement) {
  std::printf("active ISA: %s\n", simdnn::isa_name(simdnn::active_isa()));
  if (!replacements_installed) GTEST_SKIP() << skip_reason();
  struct canary {
    const char* name;
    void (*run)();
  };
  const canary canaries[] = {
      {"std::vector push_back",
       [] {
         std::vector<int> v;
         v.push_back(1);
         escape(v.data());
       }},
      {"new/delete",
       [] {
         int* p = new int(1);
         escape(p);
         delete p;
       }},
      {"new[]/delete[]",
       [] {
         int* p = new int[3];
         escape(p);
         delete[] p;
       }},
      {"aligned new/delete",
       [] {
         void* p = ::operator new (256, std::align_val_t{128});
         escape(p);
#if defined(__cpp_sized_deallocation)
         ::operator delete (p, 256, std::align_val_t{128});
#else
         // clang enables sized deallocation only with -fsized-deallocation.
         ::operator delete (p, std::align_val_t{128});
#endif
       }},
      {"nothrow new/delete",
       [] {
         void* p = ::operator new(8, std::nothrow);
         escape(p);
         ::operator delete(p, std::nothrow);
       }},
      {"malloc/free",
       [] {
         void* p = std::malloc(24);
         escape(p);
         std::free(p);
       }},
      {"calloc/free",
       [] {
         void* p = std::calloc(3, 8);
         escape(p);
         std::free(p);
       }},
      {"realloc/free",
       [] {
         void* p = std::realloc(nullptr, 40);
         escape(p);
         std::free(p);
       }},
      {"aligned_alloc/free",
       [] {
         void* p = std::aligned_alloc(64, 128);
         escape(p);
         std::free(p);
       }},
      {"posix_memalign/free",
       [] {
         void* p = nullptr;
         if (posix_memalign(&p, 64, 128) == 0) escape(p);
         std::free(p);
       }},
  };
  for (const canary& c : canaries) {
    start_counting();
    c.run();
    const counts seen = stop_counting();
    EXPECT_EQ(seen.allocations, 1) << c.name;
    EXPECT_EQ(seen.frees, 1) << c.name;
  }
}

TEST(ZeroAllocation, HeapOwnedNetworkTrainsAndInfersWithoutAllocating) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const workload data;
  network_options train_options;
  train_options.max_batch = train_batch_rows;
  network trainer(train_widths, train_options);
  network_options infer_options;
  infer_options.bias = false;
  infer_options.init = simdnn::weight_init::uniform_pm1;
  infer_options.max_batch = 1;
  network inferrer(infer_widths, infer_options);

  start_counting();
  const loop_result trained = run_training(trainer, data);
  const counts training = stop_counting();

  start_counting();
  const loop_result inferred = run_inference(inferrer, data);
  const counts inference = stop_counting();

  EXPECT_EQ(trained.failures, 0);
  EXPECT_TRUE(std::isfinite(trained.checksum));
  EXPECT_EQ(training.allocations, 0) << training_steps << " training steps";
  EXPECT_EQ(training.frees, 0) << training_steps << " training steps";
  EXPECT_EQ(inferred.failures, 0);
  EXPECT_TRUE(std::isfinite(inferred.checksum));
  EXPECT_EQ(inference.allocations, 0) << forward_passes << " forward passes";
  EXPECT_EQ(inference.frees, 0) << forward_passes << " forward passes";
}

// Built in a static buffer, a network touches no heap at all: construction, training, inference
// and destruction all happen inside the counted region.
TEST(ZeroAllocation, CallerMemoryNetworkNeverTouchesTheHeap) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const workload data;
  alignas(64) static std::byte train_memory[1 << 16];
  alignas(64) static std::byte infer_memory[1 << 16];
  network_options train_options;
  train_options.max_batch = train_batch_rows;
  network_options infer_options;
  infer_options.activations = {simdnn::activation::sigmoid, simdnn::activation::sigmoid,
                               simdnn::activation::identity};
  infer_options.max_batch = 1;
  // The ISA is chosen once per process, on first use; make that happen outside the region.
  static_cast<void>(simdnn::active_isa());

  start_counting();
  loop_result trained, inferred;
  std::size_t train_bytes = 0, infer_bytes = 0;
  {
    train_bytes = network::arena_bytes(train_widths, train_options);
    network trainer(train_widths, train_options, train_memory);
    trained = run_training(trainer, data);
    infer_bytes = network::arena_bytes(infer_widths, infer_options);
    network inferrer(infer_widths, infer_options, infer_memory);
    inferred = run_inference(inferrer, data);
  }
  const counts seen = stop_counting();

  EXPECT_LE(train_bytes, sizeof train_memory);
  EXPECT_LE(infer_bytes, sizeof infer_memory);
  EXPECT_EQ(trained.failures, 0);
  EXPECT_EQ(inferred.failures, 0);
  EXPECT_TRUE(std::isfinite(trained.checksum) && std::isfinite(inferred.checksum));
  EXPECT_EQ(seen.allocations, 0);
  EXPECT_EQ(seen.frees, 0);
}

// The opt-in sgemm pool allocates when it starts (worker threads, their workspaces), never per
// call: 200 two-thread products with a caller workspace, counted, must allocate nothing.
TEST(ZeroAllocation, SgemmThreadPoolCallsNeverAllocate) {
  using namespace simdnn;
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const std::size_t m = 192, n = 192, k = 192;  // above the parallel threshold
  std::vector<float> a(m * k, 0.5f), b(k * n, 0.25f), c(m * n, 0.0f);
  std::vector<std::byte> workspace(sgemm_workspace_size(m, n, k));
  set_sgemm_threads(2);
  ASSERT_EQ(sgemm_threads(), 2u);
  sgemm(op::none, op::none, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n, workspace);
  start_counting();
  for (int call = 0; call < 200; ++call) {
    sgemm(op::none, op::transpose, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.5f, c.data(), n,
          workspace);
  }
  const counts seen = stop_counting();
  set_sgemm_threads(1);
  EXPECT_TRUE(std::isfinite(c[0]));
  EXPECT_EQ(seen.allocations, 0);
  EXPECT_EQ(seen.frees, 0);
}

// network_options::threads: the workers are started by the constructor, and a pass shared with
// them (staging, forward, loss, backward, step, every barrier) allocates nothing, on any thread:
// 300 two-thread train_batch calls on batches large enough to split, then the separate calls.
TEST(ZeroAllocation, TwoThreadNetworkTrainsWithoutAllocating) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const std::array<std::size_t, 4> widths = {100, 70, 33, 5};
  constexpr std::size_t batch = 203;  // 203 x 9475 multiply-adds: above the split threshold
  std::vector<float> inputs(batch * widths[0]), targets(batch * widths[3], 0.0f);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    inputs[i] = static_cast<float>(i % 97) / 97.0f;
  }
  for (std::size_t r = 0; r < batch; ++r) targets[r * widths[3] + r % widths[3]] = 1.0f;
  network_options options;
  options.max_batch = batch;
  options.threads = 2;
  options.optimizer.kind = simdnn::optimizer_kind::adam;
  options.optimizer.learning_rate = 0.01f;
  network net(widths, options);
  ASSERT_EQ(net.threads(), 2u);
  ASSERT_TRUE(net.train_batch(inputs, targets, batch));  // the workers' first wake-up, uncounted

  start_counting();
  long failures = 0;
  for (int step = 0; step < 300; ++step) {
    if (!net.train_batch(inputs, targets, batch)) ++failures;
  }
  for (int call = 0; call < 100; ++call) {
    if (!net.forward(inputs, batch)) ++failures;
    if (net.backward(targets) != status::ok) ++failures;
    if (net.step() != status::ok) ++failures;
  }
  const counts seen = stop_counting();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(seen.allocations, 0);
  EXPECT_EQ(seen.frees, 0);
}

// ---- simdnn::predictor ----------------------------------------------------------------------

// A loaded model's predictor: 1,000,000 single-sample predictions and 10,000 batches of 16 rows
// (standardization on, every kind of layer) make no allocation and no free.
simdnn::model inference_model() {
  network_options options;
  options.activations = {simdnn::activation::sigmoid, simdnn::activation::sigmoid,
                         simdnn::activation::identity};
  network net(infer_widths, options);
  const float mean[] = {0.1f, 0.2f, 0.3f, 0.4f};
  const float stddev[] = {1.0f, 2.0f, 0.5f, 1.5f};
  net.set_input_standardization(mean, stddev);
  // Through the file format, as an application would get it.
  return simdnn::parse_model(simdnn::serialize_model(simdnn::model(net, {"y"})));
}

loop_result run_predictions(const simdnn::predictor& p, const workload& data,
                            std::span<std::byte> workspace) noexcept {
  loop_result result;
  float y[16];
  for (long call = 0; call < forward_passes; ++call) {
    const auto which = static_cast<std::size_t>(call % 64);
    if (p.predict(std::span(data.samples).subspan(which * 4, 4), std::span(y).first(1),
                  workspace) != status::ok) {
      ++result.failures;
    }
    result.checksum += y[0];
  }
  for (long call = 0; call < 10'000; ++call) {
    const auto which = static_cast<std::size_t>(call % 4) * 16;
    if (p.predict_batch(std::span(data.samples).subspan(which * 4, 16 * 4), 16, y, workspace) !=
        status::ok) {
      ++result.failures;
    }
    result.checksum += y[15];
  }
  return result;
}

TEST(ZeroAllocation, PredictorPredictsWithoutAllocating) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const workload data;
  const simdnn::predictor p(inference_model());
  std::vector<std::byte> workspace(p.workspace_bytes(16));
  start_counting();
  const loop_result predicted = run_predictions(p, data, workspace);
  const counts seen = stop_counting();
  EXPECT_EQ(predicted.failures, 0);
  EXPECT_TRUE(std::isfinite(predicted.checksum));
  EXPECT_EQ(seen.allocations, 0) << forward_passes << " predictions";
  EXPECT_EQ(seen.frees, 0) << forward_passes << " predictions";
}

// Built in static buffers, a predictor touches no heap at all: construction from a loaded model,
// every prediction and destruction happen inside the counted region.
TEST(ZeroAllocation, CallerMemoryPredictorNeverTouchesTheHeap) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const workload data;
  const simdnn::model m = inference_model();
  alignas(64) static std::byte predictor_memory[1 << 14];
  alignas(64) static std::byte workspace[1 << 14];
  static_cast<void>(simdnn::active_isa());  // chosen once per process, outside the region

  start_counting();
  loop_result predicted;
  std::size_t bytes = 0, workspace_bytes = 0;
  {
    bytes = simdnn::predictor::memory_bytes(m);
    const simdnn::predictor p(m, predictor_memory);
    workspace_bytes = p.workspace_bytes(16);
    predicted = run_predictions(p, data, workspace);
  }
  const counts seen = stop_counting();
  EXPECT_LE(bytes, sizeof predictor_memory);
  EXPECT_LE(workspace_bytes, sizeof workspace);
  EXPECT_EQ(predicted.failures, 0);
  EXPECT_TRUE(std::isfinite(predicted.checksum));
  EXPECT_EQ(seen.allocations, 0);
  EXPECT_EQ(seen.frees, 0);
}

// Every activation, every loss it allows and every optimizer: the arena plans their buffers and
// state, so training steps allocate nothing whichever the configuration.
TEST(ZeroAllocation, EveryActivationLossAndOptimizerTrainsWithoutAllocating) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  using simdnn::activation;
  using simdnn::loss_function;
  using simdnn::optimizer_kind;
  const workload data;
  struct output_case {
    activation output;
    loss_function loss;
  };
  const output_case outputs[] = {{activation::identity, loss_function::squared_error},
                                 {activation::sigmoid, loss_function::binary_cross_entropy},
                                 {activation::sigmoid_fast, loss_function::squared_error},
                                 {activation::tanh, loss_function::squared_error},
                                 {activation::relu, loss_function::squared_error},
                                 {activation::leaky_relu, loss_function::squared_error},
                                 {activation::softmax, loss_function::softmax_cross_entropy},
                                 {activation::softmax, loss_function::squared_error}};
  const activation hidden[] = {activation::sigmoid, activation::sigmoid_fast, activation::tanh,
                               activation::relu,    activation::leaky_relu,   activation::identity};
  const optimizer_kind optimizers[] = {optimizer_kind::sgd, optimizer_kind::momentum,
                                       optimizer_kind::adam, optimizer_kind::adamw,
                                       optimizer_kind::rprop};
  const std::size_t in = train_batch_rows * 4, out = train_batch_rows * 3;
  for (const output_case& o : outputs) {
    for (std::size_t h = 0; h < std::size(hidden); ++h) {
      const optimizer_kind kind = optimizers[h % std::size(optimizers)];
      network_options options;
      options.max_batch = train_batch_rows;
      options.activations = {hidden[h], hidden[(h + 1) % std::size(hidden)], o.output};
      options.loss = o.loss;
      options.optimizer.kind = kind;
      options.optimizer.learning_rate = 0.01f;
      options.optimizer.nesterov = h % 2 == 0;
      options.optimizer.weight_decay = 1e-4f;
      network net(train_widths, options);
      long failures = 0;
      start_counting();
      for (long step = 0; step < 2000; ++step) {
        const auto which = static_cast<std::size_t>(step % 4);
        const auto loss =
            net.train_batch(std::span(data.inputs).subspan(which * in, in),
                            std::span(data.targets).subspan(which * out, out), train_batch_rows);
        if (!loss) ++failures;
      }
      const counts seen = stop_counting();
      const std::string what = std::string(simdnn::activation_name(hidden[h])) + " hidden, " +
                               simdnn::activation_name(o.output) + " output, " +
                               simdnn::loss_name(o.loss) + ", " + simdnn::optimizer_name(kind);
      EXPECT_EQ(failures, 0) << what;
      EXPECT_EQ(seen.allocations, 0) << what;
      EXPECT_EQ(seen.frees, 0) << what;
    }
  }
}

// simdnn::train allocates its buffers before the first epoch: a run of 40 epochs makes exactly
// as many allocations as a run of 2 (the history is reserved up front).
TEST(ZeroAllocation, TrainingLoopAllocatesNothingPerEpoch) {
  if (*skip_reason() != '\0') GTEST_SKIP() << skip_reason();
  const workload data;
  const std::vector<simdnn::class_index> labels = [&] {
    std::vector<simdnn::class_index> l;
    for (std::size_t r = 0; r < 4 * train_batch_rows; ++r)
      l.push_back(static_cast<simdnn::class_index>(r % 3));
    return l;
  }();
  const simdnn::training_data rows{data.inputs, data.targets, labels, 4 * train_batch_rows, 0};
  const auto allocations_for = [&](std::size_t epochs) {
    network_options options;
    options.max_batch = train_batch_rows;
    options.activations = {simdnn::activation::relu, simdnn::activation::tanh,
                           simdnn::activation::softmax};
    options.loss = simdnn::loss_function::softmax_cross_entropy;
    options.optimizer.kind = simdnn::optimizer_kind::adam;
    network net(train_widths, options);
    simdnn::training_options t;
    t.epochs = epochs;
    t.batch_size = 10;
    t.patience = 1000;  // keeps the best-weights copy in play without stopping
    start_counting();
    const simdnn::training_report report = simdnn::train(net, rows, &rows, t);
    const counts seen = stop_counting();
    EXPECT_EQ(report.history.size(), epochs);
    return seen.allocations;
  };
  const long few = allocations_for(2);
  const long many = allocations_for(40);
  EXPECT_EQ(many, few) << "allocations grow with the number of epochs";
}

}  // namespace
