// bench/peers/network_peers_bench.cpp — simdnn's network and predictor against Eigen 3.4 MLPs
// on the tasks of issue 14, in the same process, on the same data, with the same maths:
//
//   net/iris_epoch/4-10-3-3/<impl>             one full-batch epoch on Iris's 150 rows (forward,
//   net/iris_epoch/4-10-3-1/<impl>             loss, backward, SGD), the setups of simdnn_bench's
//   net/train_step/784-256-128-10/b256/<impl>  network/* (nn/network_setups.hpp)
//   net/infer/4-10-3-1/<impl>                  one sample, back-to-back calls over 64 inputs, the
//   net/infer/784-256-128-10/<impl>            model of simdnn_bench's predict/* (bias,
//                                              standardization; model/predict_setups.hpp)
//   net/infer_chain/4-10-3-1/<impl>            the same model, calls in a dependency chain (each
//                                              input waits for the previous output): one call's
//                                              latency, as predict_latency's chain_ns
//
// <impl>: simdnn-<isa> (network::train_batch, as network/*), simdnn-predictor-<isa> (as
// predict/*), simdnn-predictor-fast-<isa> (4-10-3-1 only: the same model with sigmoid_fast
// layers, as predict/4-10-3-1-sigmoid_fast), simdnn-network-<isa> (network::forward on the network
// the model is made from; simdnn_bench's network/infer/4-10-3-1 is the notebook's net without bias
// or standardization), eigen-<isa> (dynamic sizes), eigen-fixed-<isa> (fixed sizes, 4-10-3-1
// forward only), eigen-openblas-<isa> (dynamic sizes, EIGEN_USE_BLAS). <isa> is simdnn's active ISA
// (capped by SIMDNN_ISA); the Eigen peers registered are the variant compiled for that ISA.
//
// Every Eigen peer is checked against simdnn before it is timed, and a mismatch is reported with
// SkipWithError, never timed: training from identical initial weights (a copy of the network's),
// one step each: the losses within 1e-4 (relative), every gradient within 1e-4 of its layer's
// largest, every updated weight and bias within lr 1e-4 max|g| + 2^-22 |w|; inference: every
// output of the 64 samples within 1e-5 of the predictor's. The label shows the largest
// discrepancies measured.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/predict_setups.hpp"
#include "nn/network_setups.hpp"
#include "peers/eigen_peer.hpp"
#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"

namespace simdnn::bench::peers {
namespace {

constexpr double loss_tolerance = 1e-4;      // relative
constexpr double gradient_tolerance = 1e-4;  // of the layer's largest |gradient|
constexpr double output_tolerance = 1e-5;    // absolute, outputs in (0, 1)

std::string scientific(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1e", value);
  return text;
}

struct train_task {
  std::string name;
  std::vector<std::size_t> widths;
  network_options options;
  std::vector<float> inputs, targets;
  std::size_t batch;
  float learning_rate;
};

train_task iris_task(std::size_t outputs) {
  const iris_set iris = load_iris_or_synthetic();
  const std::vector<std::size_t> widths = {4, 10, 3, outputs};
  return {"iris_epoch/" + widths_name(widths), widths, iris_options(outputs),      iris.features,
          iris_targets(iris, outputs),         150,    iris_learning_rate(outputs)};
}

train_task mnist_task() {
  const mnist_batch data;
  return {"train_step/784-256-128-10/b256",
          data.widths,
          mnist_batch::options(),
          data.inputs,
          data.targets,
          mnist_batch::batch,
          data.learning_rate};
}

mlp_parameters parameters_of(const network& net) {
  mlp_parameters p;
  p.widths.assign(net.widths().begin(), net.widths().end());
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    p.weights.emplace_back(net.weights(l).begin(), net.weights(l).end());
    p.biases.emplace_back(net.biases(l).begin(), net.biases(l).end());
  }
  p.mean.assign(net.input_mean().begin(), net.input_mean().end());
  p.stddev.assign(net.input_stddev().begin(), net.input_stddev().end());
  return p;
}

double largest_magnitude(std::span<const float> values) {
  double largest = 0.0;
  for (float v : values) largest = std::max(largest, std::fabs(static_cast<double>(v)));
  return largest;
}

// max |a - b| / scale, or infinity on a size mismatch or NaN.
double relative_difference(std::span<const float> a, std::span<const float> b, double scale) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    if (!(d <= worst)) worst = std::isnan(d) ? INFINITY : d;
  }
  return scale > 0.0 ? worst / scale : (worst == 0.0 ? 0.0 : INFINITY);
}

// Whether every updated parameter agrees within lr tol max|g| + 2^-22 |w| (the two updates'
// difference plus the roundings of w - lr g).
bool updates_agree(std::span<const float> eigen, std::span<const float> simdnn, double step_bound) {
  if (eigen.size() != simdnn.size()) return false;
  for (std::size_t i = 0; i < eigen.size(); ++i) {
    const double w = static_cast<double>(simdnn[i]);
    const double d = std::fabs(static_cast<double>(eigen[i]) - w);
    if (!(d <= step_bound + std::ldexp(std::fabs(w), -22))) return false;
  }
  return true;
}

// One step of each from the same initial weights: empty if they agree, else why not; `label`
// gets the largest discrepancies measured.
std::string check_training(const train_task& task, const eigen_peer& peer,
                           const mlp_training& setup, std::string& label) {
  network reference(task.widths, task.options);
  const auto loss =
      reference.train_batch(task.inputs, task.targets, task.batch, task.learning_rate);
  if (!loss) return std::string("simdnn: ") + status_message(loss.error);
  const std::unique_ptr<mlp_trainer> trainer = peer.make_trainer(setup);
  const double eigen_loss = trainer->step();
  const double loss_error =
      std::fabs(eigen_loss - static_cast<double>(loss.value)) / std::fabs(loss.value);
  const mlp_parameters gradients = trainer->gradients(), updated = trainer->parameters();
  double gradient_error = 0.0;
  bool updates_ok = true;
  for (std::size_t l = 0; l < reference.layer_count(); ++l) {
    const std::span<const float> g = reference.weight_gradients(l),
                                 gb = reference.bias_gradients(l);
    const double g_max = largest_magnitude(g), gb_max = largest_magnitude(gb);
    gradient_error = std::max({gradient_error, relative_difference(gradients.weights[l], g, g_max),
                               relative_difference(gradients.biases[l], gb, gb_max)});
    const double lr = task.learning_rate;
    updates_ok =
        updates_ok &&
        updates_agree(updated.weights[l], reference.weights(l), lr * gradient_tolerance * g_max) &&
        updates_agree(updated.biases[l], reference.biases(l), lr * gradient_tolerance * gb_max);
  }
  label = "checked: loss " + scientific(loss_error) + ", gradients " + scientific(gradient_error);
  if (!(loss_error <= loss_tolerance)) return "loss differs from simdnn's: " + label;
  if (!(gradient_error <= gradient_tolerance)) return "gradients differ from simdnn's: " + label;
  if (!updates_ok) return "updated weights differ from simdnn's: " + label;
  return {};
}

mlp_training training_setup(const train_task& task) {
  const network initial(task.widths, task.options);  // the same seed: the same weights
  return {parameters_of(initial),
          task.inputs,
          task.targets,
          task.batch,
          task.options.reduction == loss_reduction::mean,
          task.learning_rate};
}

void count_rows(benchmark::State& state, std::size_t rows_per_iteration) {
  state.counters["samples"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(rows_per_iteration),
      benchmark::Counter::kIsRate);
}

// As simdnn_bench's network/iris_epoch and network/train_step.
void simdnn_train(benchmark::State& state, const train_task* task) {
  network net(task->widths, task->options);
  for (auto _ : state) {
    const auto loss =
        net.train_batch(task->inputs, task->targets, task->batch, task->learning_rate);
    if (!loss) {
      state.SkipWithError(status_message(loss.error));
      break;
    }
    benchmark::DoNotOptimize(loss.value);
  }
  count_rows(state, task->batch);
}

void eigen_train(benchmark::State& state, const train_task* task, const eigen_peer* peer) {
  const mlp_training setup = training_setup(*task);
  std::string label;
  const std::string mismatch = check_training(*task, *peer, setup, label);
  state.SetLabel(label);
  if (!mismatch.empty()) {
    state.SkipWithError(mismatch.c_str());
    return;
  }
  const std::unique_ptr<mlp_trainer> trainer = peer->make_trainer(setup);
  for (auto _ : state) benchmark::DoNotOptimize(trainer->step());
  count_rows(state, task->batch);
}

// Single-sample inference on predict_bench's model and inputs.
struct infer_setup {
  network net;
  predictor predict;
  std::vector<float> inputs, output;
  std::vector<std::byte> workspace;

  explicit infer_setup(const std::vector<std::size_t>& widths)
      : net(make_predict_network(widths)),
        predict(model(net)),
        inputs(predict_inputs(widths.front())),
        output(widths.back()),
        workspace(predict.workspace_bytes(1)) {}

  [[nodiscard]] std::span<const float> sample(std::size_t i) const {
    const std::size_t width = predict.input_width();
    return std::span(inputs).subspan((i % predict_sample_count) * width, width);
  }

  // The predictor of the same model with sigmoid_fast layers (the per-model choice).
  void use_sigmoid_fast_layers() {
    model_parameters p = model(net).parameters();
    p.activations.assign(p.activations.size(), activation::sigmoid_fast);
    predict = predictor(model(std::move(p)));
  }

  // The predictor's outputs for every sample (predict_sample_count x outputs).
  [[nodiscard]] std::vector<float> reference() {
    std::vector<float> all;
    for (std::size_t i = 0; i < predict_sample_count; ++i) {
      if (predict.predict(sample(i), output, workspace) != status::ok) return {};
      all.insert(all.end(), output.begin(), output.end());
    }
    return all;
  }
};

// As simdnn_bench's predict/*. With `fast`, the same model with sigmoid_fast layers (the
// per-model choice the model file records), checked against the accurate predictor first.
void simdnn_predict(benchmark::State& state, const std::vector<std::size_t>* widths, bool fast) {
  infer_setup f(*widths);
  if (fast) {
    const std::vector<float> expected = f.reference();
    f.use_sigmoid_fast_layers();
    const std::vector<float> computed = f.reference();
    const double error = relative_difference(computed, expected, 1.0);
    state.SetLabel("checked: outputs " + scientific(error));
    if (expected.empty() || !(error <= output_tolerance)) {
      state.SkipWithError("the sigmoid_fast predictor differs from the accurate one");
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const float* input = f.sample(i++).data();
    benchmark::DoNotOptimize(input);  // the input is new every call: no hoisting
    const status s = f.predict.predict({input, f.predict.input_width()}, f.output, f.workspace);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(f.output.data());
    benchmark::ClobberMemory();
  }
  count_rows(state, 1);
}

// network::forward on the same model and inputs, checked against the predictor.
void simdnn_network_forward(benchmark::State& state, const std::vector<std::size_t>* widths) {
  infer_setup f(*widths);
  const std::vector<float> expected = f.reference();
  std::vector<float> computed;
  for (std::size_t i = 0; i < predict_sample_count; ++i) {
    const auto y = f.net.forward(f.sample(i), 1);
    if (!y) break;
    computed.insert(computed.end(), y.value.begin(), y.value.end());
  }
  const double error = relative_difference(computed, expected, 1.0);
  state.SetLabel("checked: outputs " + scientific(error));
  if (expected.empty() || !(error <= output_tolerance)) {
    state.SkipWithError("network::forward differs from the predictor");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const float* input = f.sample(i++).data();
    benchmark::DoNotOptimize(input);
    const auto y = f.net.forward({input, f.predict.input_width()}, 1);
    benchmark::DoNotOptimize(y.value.data());
    benchmark::ClobberMemory();
  }
  count_rows(state, 1);
}

// The peer's forward of the setup's network (fixed sizes or dynamic), or null after telling
// the benchmark why there is none.
std::unique_ptr<mlp_forward> make_peer_forward(benchmark::State& state, const infer_setup& f,
                                               const eigen_peer* peer, bool fixed) {
  const mlp_parameters parameters = parameters_of(f.net);
  std::unique_ptr<mlp_forward> forward =
      fixed ? peer->make_fixed_forward(parameters) : peer->make_forward(parameters);
  if (!forward) state.SkipWithError("no fixed-size Eigen network for these widths");
  return forward;
}

// Calls per chain of the infer_chain benchmarks: one benchmark iteration is one call.
constexpr std::size_t chain_calls = 1000;

// The predictor's calls in a dependency chain, as mlp_forward::forward_chain: each input is the
// first sample with its first feature replaced by half the previous call's first output, so
// the time per call is one call's latency (no overlap between calls). With `fast`, sigmoid_fast
// layers. Returns the chain's last first output (0 if a call failed).
float simdnn_chain(const predictor& p, const std::vector<float>& first, std::vector<float>& y,
                   std::vector<std::byte>& workspace, std::size_t calls) {
  std::vector<float> x(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(p.input_width()));
  for (std::size_t i = 0; i < calls; ++i) {
    if (p.predict(x, y, workspace) != status::ok) return 0.0f;
    x[0] = y[0] * 0.5f;
  }
  return y[0];
}

void simdnn_predict_chain(benchmark::State& state, const std::vector<std::size_t>* widths,
                          bool fast) {
  infer_setup f(*widths);
  if (fast) f.use_sigmoid_fast_layers();
  while (state.KeepRunningBatch(chain_calls)) {
    benchmark::DoNotOptimize(simdnn_chain(f.predict, f.inputs, f.output, f.workspace, chain_calls));
  }
  count_rows(state, 1);
}

// The peer's chain, its last output checked against the accurate predictor's chain first.
void eigen_forward_chain(benchmark::State& state, const std::vector<std::size_t>* widths,
                         const eigen_peer* peer, bool fixed) {
  infer_setup f(*widths);
  const std::unique_ptr<mlp_forward> forward = make_peer_forward(state, f, peer, fixed);
  if (!forward) return;
  const std::vector<float> expected = {
      simdnn_chain(f.predict, f.inputs, f.output, f.workspace, chain_calls)};
  const std::vector<float> computed = {forward->forward_chain(f.inputs.data(), chain_calls)[0]};
  const double error = relative_difference(computed, expected, 1.0);
  state.SetLabel("checked: last output " + scientific(error));
  if (!(error <= output_tolerance)) {
    state.SkipWithError(("chain differs from simdnn's predictor: " + scientific(error)).c_str());
    return;
  }
  while (state.KeepRunningBatch(chain_calls)) {
    benchmark::DoNotOptimize(forward->forward_chain(f.inputs.data(), chain_calls));
  }
  count_rows(state, 1);
}

void eigen_forward(benchmark::State& state, const std::vector<std::size_t>* widths,
                   const eigen_peer* peer, bool fixed) {
  infer_setup f(*widths);
  const std::unique_ptr<mlp_forward> forward = make_peer_forward(state, f, peer, fixed);
  if (!forward) return;
  const std::vector<float> expected = f.reference();
  std::vector<float> computed;
  for (std::size_t i = 0; i < predict_sample_count; ++i) {
    const float* y = forward->forward(f.sample(i).data());
    computed.insert(computed.end(), y, y + widths->back());
  }
  const double error = relative_difference(computed, expected, 1.0);
  state.SetLabel("checked: outputs " + scientific(error));
  if (expected.empty() || !(error <= output_tolerance)) {
    state.SkipWithError(("outputs differ from simdnn's predictor: " + scientific(error)).c_str());
    return;
  }
  // The calls run in a loop compiled inside the peer, with the forward inlined as in an Eigen
  // user's code (mlp_forward::forward_loop); one benchmark iteration is one call.
  constexpr std::size_t calls = predict_sample_count;
  while (state.KeepRunningBatch(calls)) {
    benchmark::DoNotOptimize(forward->forward_loop(f.inputs.data(), predict_sample_count, calls));
  }
  count_rows(state, 1);
}

// The variant compiled for simdnn's active ISA, with or without OpenBLAS.
const eigen_peer* eigen_for(isa which, bool blas) {
  switch (which) {
    case isa::sse2:
      return blas ? &eigen_peer_openblas_sse2() : &eigen_peer_sse2();
    case isa::avx2:
      return blas ? &eigen_peer_openblas_avx2() : &eigen_peer_avx2();
    case isa::avx512:
#if SIMDNN_HAVE_AVX512
      return blas ? &eigen_peer_openblas_avx512() : &eigen_peer_avx512();
#else
      return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace

void register_network_benchmarks() {
  const std::string isa = isa_name(active_isa());
  const eigen_peer* plain = eigen_for(active_isa(), false);
  const eigen_peer* blas = eigen_for(active_isa(), true);
  // Built once, before any benchmark runs; the benchmarks only read them.
  static const train_task tasks[] = {iris_task(3), iris_task(1), mnist_task()};
  for (const train_task& task : tasks) {
    const train_task* t = &task;
    const std::string prefix = "net/" + task.name + "/";
    auto* simdnn = benchmark::RegisterBenchmark((prefix + "simdnn-" + isa).c_str(),
                                                [t](benchmark::State& s) { simdnn_train(s, t); });
    std::vector<benchmark::internal::Benchmark*> all = {simdnn};
    for (const eigen_peer* peer : {plain, blas}) {
      if (peer == nullptr) continue;
      all.push_back(benchmark::RegisterBenchmark(
          (prefix + peer->name).c_str(),
          [t, peer](benchmark::State& s) { eigen_train(s, t, peer); }));
    }
    if (task.batch > 150) {
      for (auto* b : all) b->Unit(benchmark::kMillisecond);
    } else {
      for (auto* b : all) b->Unit(benchmark::kMicrosecond);
    }
  }
  static const std::vector<std::size_t> infer_widths[] = {{4, 10, 3, 1}, {784, 256, 128, 10}};
  for (const std::vector<std::size_t>& widths : infer_widths) {
    const std::vector<std::size_t>* w = &widths;
    const std::string prefix = "net/infer/" + widths_name(widths) + "/";
    benchmark::RegisterBenchmark((prefix + "simdnn-predictor-" + isa).c_str(),
                                 [w](benchmark::State& s) { simdnn_predict(s, w, false); });
    if (widths.back() == 1) {
      // The small model with sigmoid_fast layers: what the accurate sigmoid's chain costs.
      benchmark::RegisterBenchmark((prefix + "simdnn-predictor-fast-" + isa).c_str(),
                                   [w](benchmark::State& s) { simdnn_predict(s, w, true); });
    }
    benchmark::RegisterBenchmark((prefix + "simdnn-network-" + isa).c_str(),
                                 [w](benchmark::State& s) { simdnn_network_forward(s, w); });
    for (const eigen_peer* peer : {plain, blas}) {
      if (peer == nullptr) continue;
      const bool fixed_size = plain == peer && widths.back() == 1;
      if (fixed_size) {
        const std::string name = prefix + "eigen-fixed-" + isa;
        benchmark::RegisterBenchmark(
            name.c_str(), [w, peer](benchmark::State& s) { eigen_forward(s, w, peer, true); });
      }
      benchmark::RegisterBenchmark((prefix + peer->name).c_str(), [w, peer](benchmark::State& s) {
        eigen_forward(s, w, peer, false);
      });
    }
  }
  // One call's latency (calls in a dependency chain), the small model only.
  static const std::vector<std::size_t> chain_widths = {4, 10, 3, 1};
  {
    const std::vector<std::size_t>* w = &chain_widths;
    const std::string prefix = "net/infer_chain/" + widths_name(chain_widths) + "/";
    benchmark::RegisterBenchmark((prefix + "simdnn-predictor-" + isa).c_str(),
                                 [w](benchmark::State& s) { simdnn_predict_chain(s, w, false); });
    benchmark::RegisterBenchmark((prefix + "simdnn-predictor-fast-" + isa).c_str(),
                                 [w](benchmark::State& s) { simdnn_predict_chain(s, w, true); });
    if (plain != nullptr) {
      benchmark::RegisterBenchmark(
          (prefix + "eigen-fixed-" + isa).c_str(),
          [w, plain](benchmark::State& s) { eigen_forward_chain(s, w, plain, true); });
      benchmark::RegisterBenchmark((prefix + plain->name).c_str(), [w, plain](benchmark::State& s) {
        eigen_forward_chain(s, w, plain, false);
      });
    }
  }
  if (plain != nullptr) {
    benchmark::AddCustomContext("eigen_version", plain->version);
    benchmark::AddCustomContext("eigen_flags", plain->flags);
    benchmark::AddCustomContext("eigen_simd", plain->simd);
  }
}

}  // namespace simdnn::bench::peers
