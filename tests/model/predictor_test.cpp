// tests/model/predictor_test.cpp — simdnn::predictor on every ISA the CPU runs: outputs within a
// rigorous error bound of a double-precision reference, every activation against a double
// reference and the network make_network builds, bitwise equality between a row alone and
// in any batch, between threads and a single thread, and across a save/load round trip; the
// caller's MXCSR untouched; caller memory; every misuse status.
#include <gtest/gtest.h>
#include <xmmintrin.h>

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#include "model/model_test_support.hpp"
#include "simdnn/model.hpp"
#include "simdnn/predictor.hpp"

namespace simdnn {
namespace {

using testing::random_model;

struct shape {
  const char* name;
  std::vector<std::size_t> widths;
  std::vector<activation> activations;
  bool bias;
  bool standardize;
};

const activation sig = activation::sigmoid;
const activation id = activation::identity;

// Narrow, exact-panel, multi-panel, odd and deep layers; with and without bias and statistics.
std::vector<shape> shapes() {
  return {
      {"notebook_4_10_3_1", {4, 10, 3, 1}, {sig, sig, sig}, true, true},
      {"one_by_one", {1, 1}, {id}, false, false},
      {"odd_3_17_33_2", {3, 17, 33, 2}, {sig, id, sig}, true, false},
      {"panels_16_16_16", {16, 16, 16}, {sig, sig}, false, false},
      // Narrow (every width <= 16: predict's one-row path) with 9..16 columns, i.e. two AVX2
      // vectors and three or four SSE2 ones, and with one width of 17 that is not narrow.
      {"narrow_13_9_16_5", {13, 9, 16, 5}, {sig, id, sig}, true, true},
      {"almost_narrow_16_17_3", {16, 17, 3}, {sig, sig}, true, true},
      {"regression_20_5", {20, 5}, {id}, true, true},
      {"wide_7_40_9", {7, 40, 9}, {sig, sig}, true, true},
      {"mnist_784_256_128_10", {784, 256, 128, 10}, {sig, sig, sig}, true, false},
  };
}

std::vector<float> random_inputs(std::size_t count, std::uint64_t seed) {
  testing::test_rng rng(seed);
  std::vector<float> x(count);
  for (float& v : x) v = rng.uniform(-3.0f, 3.0f);
  return x;
}

// Forward in double from the model's float parameters, with an error budget per output for the
// float computation: a dot product of n terms accumulated in float (fma or multiply-add) is off
// by at most (n + 2) eps (|b| + sum |x w|), an input error e_i adds sum |w| e_i, the sigmoid
// (slope <= 1/4) passes a quarter of it on plus its own 1.5 ULP.
struct reference {
  std::vector<double> value;
  std::vector<double> bound;
};

reference reference_forward(const model& m, std::span<const float> x) {
  const double eps = FLT_EPSILON;
  std::vector<double> a(x.begin(), x.end()), err(x.size(), 0.0);
  if (m.has_input_standardization()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      a[i] = (a[i] - m.input_mean()[i]) / m.input_stddev()[i];
      err[i] = 2 * eps * std::fabs(a[i]);  // a subtraction and a division, each rounded
    }
  }
  for (std::size_t l = 0; l < m.layer_count(); ++l) {
    const std::size_t n = m.widths()[l], outputs = m.widths()[l + 1];
    std::vector<double> z(outputs), z_err(outputs);
    for (std::size_t j = 0; j < outputs; ++j) {
      double sum = m.has_bias() ? m.biases(l)[j] : 0.0;
      double magnitude = std::fabs(sum), propagated = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double w = m.weights(l)[i * outputs + j];
        sum += a[i] * w;
        magnitude += std::fabs(a[i] * w);
        propagated += std::fabs(w) * err[i];
      }
      z[j] = sum;
      z_err[j] = static_cast<double>(n + 2) * eps * magnitude + propagated;
    }
    a.assign(outputs, 0.0);
    err.assign(outputs, 0.0);
    for (std::size_t j = 0; j < outputs; ++j) {
      if (m.layer_activation(l) == activation::sigmoid) {
        a[j] = 1.0 / (1.0 + std::exp(-z[j]));
        err[j] = 0.25 * z_err[j] + 1.5 * eps * a[j] + 1e-38;  // 1.5 ULP, the flush below FLT_MIN
      } else {
        a[j] = z[j];
        err[j] = z_err[j];
      }
    }
  }
  return {a, err};
}

// memcmp of the bytes; empty spans compare equal without handing memcmp a null pointer.
bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

// ---- Per ISA and shape ----------------------------------------------------------------------

struct isa_shape {
  isa which;
  shape s;
};

// Readable parameters in test listings (gtest would print the struct's bytes).
void PrintTo(const isa_shape& p, std::ostream* out) {
  *out << isa_name(p.which) << " " << p.s.name;
}

std::vector<isa_shape> isa_shapes() {
  std::vector<isa_shape> all;
  for (isa which : testing::all_isas()) {
    for (const shape& s : shapes()) all.push_back({which, s});
  }
  return all;
}

class PredictorShapes : public ::testing::TestWithParam<isa_shape> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam().which)) {
      GTEST_SKIP() << isa_name(GetParam().which) << " not supported on this CPU/OS";
    }
    const shape& s = GetParam().s;
    model_ =
        std::make_unique<model>(random_model(s.widths, s.activations, s.bias, 11, s.standardize));
  }
  const model& m() const { return *model_; }

 private:
  std::unique_ptr<model> model_;
};

TEST_P(PredictorShapes, WithinTheErrorBoundOfADoubleReference) {
  const predictor p(m(), GetParam().which);
  EXPECT_EQ(p.kernels(), GetParam().which);
  std::vector<std::byte> workspace(p.workspace_bytes(1));
  const std::size_t samples = m().input_width() > 100 ? 5 : 50;
  const std::vector<float> x = random_inputs(samples * m().input_width(), 21);
  std::vector<float> y(m().output_width());
  std::size_t failures = 0;
  double worst = 0.0;
  for (std::size_t r = 0; r < samples; ++r) {
    const auto input = std::span(x).subspan(r * m().input_width(), m().input_width());
    ASSERT_EQ(p.predict(input, y, workspace), status::ok);
    const reference ref = reference_forward(m(), input);
    for (std::size_t j = 0; j < y.size(); ++j) {
      const double error = std::fabs(static_cast<double>(y[j]) - ref.value[j]);
      worst = std::max(worst, error / ref.bound[j]);
      if (error > ref.bound[j]) {
        if (failures++ < 5) {
          ADD_FAILURE() << "sample " << r << " output " << j << ": " << y[j] << " vs "
                        << ref.value[j] << ", bound " << ref.bound[j];
        }
      }
    }
  }
  std::printf("[ %s %s ] worst error %.3f of its bound\n", isa_name(GetParam().which),
              GetParam().s.name, worst);
  EXPECT_EQ(failures, 0u);
}

TEST_P(PredictorShapes, ARowAloneEqualsItsRowInAnyBatch) {
  const predictor p(m(), GetParam().which);
  const std::size_t in = m().input_width(), out = m().output_width();
  const std::size_t largest = m().input_width() > 100 ? 66 : 130;  // past rows_per_pass
  const std::vector<float> x = random_inputs(largest * in, 5);
  std::vector<float> alone(largest * out);
  std::vector<std::byte> workspace(p.workspace_bytes(largest));
  for (std::size_t r = 0; r < largest; ++r) {
    ASSERT_EQ(p.predict(std::span(x).subspan(r * in, in), std::span(alone).subspan(r * out, out),
                        workspace),
              status::ok);
  }
  for (std::size_t batch : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{63},
                            std::size_t{64}, std::size_t{65}, largest}) {
    if (batch > largest) continue;
    std::vector<float> together(batch * out);
    ASSERT_EQ(p.predict_batch(std::span(x).first(batch * in), batch, together, workspace),
              status::ok);
    EXPECT_TRUE(same_bits(together, std::span(alone).first(batch * out))) << "batch " << batch;
  }
}

TEST_P(PredictorShapes, SaveAndLoadGiveBitwiseTheSameOutputs) {
  const model loaded = parse_model(serialize_model(m()));
  const predictor before(m(), GetParam().which);
  const predictor after(loaded, GetParam().which);
  const std::size_t batch = 9;
  const std::vector<float> x = random_inputs(batch * m().input_width(), 8);
  std::vector<float> y1(batch * m().output_width()), y2(y1.size());
  std::vector<std::byte> workspace(before.workspace_bytes(batch));
  ASSERT_EQ(before.predict_batch(x, batch, y1, workspace), status::ok);
  ASSERT_EQ(after.predict_batch(x, batch, y2, workspace), status::ok);
  EXPECT_TRUE(same_bits(y1, y2));
}

TEST_P(PredictorShapes, CallerMemoryGivesTheSameResults) {
  const predictor heap(m(), GetParam().which);
  const std::size_t bytes = predictor::memory_bytes(m());
  // Deliberately misaligned: the predictor aligns inside the caller's block.
  std::vector<std::byte> memory(bytes + 3);
  const predictor placed(m(), std::span(memory).subspan(3), GetParam().which);
  EXPECT_EQ(placed.memory_bytes(), bytes);
  const std::vector<float> x = random_inputs(4 * m().input_width(), 9);
  std::vector<float> y1(4 * m().output_width()), y2(y1.size());
  std::vector<std::byte> workspace(heap.workspace_bytes(4) + 5);
  ASSERT_EQ(heap.predict_batch(x, 4, y1, workspace), status::ok);
  ASSERT_EQ(placed.predict_batch(x, 4, y2, std::span(workspace).subspan(5)), status::ok);
  EXPECT_TRUE(same_bits(y1, y2));
  EXPECT_THROW(predictor(m(), std::span(memory).first(bytes - 1), GetParam().which),
               std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, PredictorShapes, ::testing::ValuesIn(isa_shapes()),
                         [](const ::testing::TestParamInfo<isa_shape>& param) {
                           return std::string(isa_name(param.param.which)) + "_" +
                                  param.param.s.name;
                         });

// ---- Threads and the floating-point environment ----------------------------------------------

class PredictorIsa : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU/OS";
    }
  }
};

TEST_P(PredictorIsa, ThreadsSharingOnePredictorGetTheSingleThreadedResults) {
  const model m = random_model({12, 40, 17, 3}, {sig, sig, sig}, true, 31, true);
  const predictor p(m, GetParam());
  constexpr std::size_t samples = 200;
  const std::vector<float> x = random_inputs(samples * 12, 32);
  std::vector<float> expected(samples * 3);
  {
    std::vector<std::byte> workspace(p.workspace_bytes(1));
    for (std::size_t r = 0; r < samples; ++r) {
      ASSERT_EQ(p.predict(std::span(x).subspan(r * 12, 12), std::span(expected).subspan(r * 3, 3),
                          workspace),
                status::ok);
    }
  }
  constexpr int thread_count = 4;
  constexpr int rounds = 200;
  std::atomic<long> mismatches{0}, failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> workspace(p.workspace_bytes(7));  // each thread its own
      std::vector<float> y(7 * 3);
      while (!go.load()) {
      }
      for (int round = 0; round < rounds; ++round) {
        // Threads walk the samples in different orders and batch sizes, all at once.
        const std::size_t batch = 1 + static_cast<std::size_t>((t + round) % 7);
        for (std::size_t first = 0; first + batch <= samples; first += batch) {
          const std::size_t start = (first + static_cast<std::size_t>(t) * 50) % (samples - batch);
          if (p.predict_batch(std::span(x).subspan(start * 12, batch * 12), batch,
                              std::span(y).first(batch * 3), workspace) != status::ok) {
            ++failures;
            continue;
          }
          if (std::memcmp(y.data(), expected.data() + start * 3, batch * 3 * sizeof(float)) != 0) {
            ++mismatches;
          }
        }
      }
    });
  }
  go.store(true);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

// predict runs in the caller's mode and must hand it back unchanged: default, FTZ + DAZ (audio
// code), and directed rounding modes. (Exceptions stay masked: unmasking inexact would trap.)
TEST_P(PredictorIsa, LeavesTheCallersMxcsrUnchanged) {
  const model m = random_model({4, 10, 3, 1}, {sig, sig, sig}, true, 3, true);
  const predictor p(m, GetParam());
  std::vector<std::byte> workspace(p.workspace_bytes(1));
  const std::vector<float> x = random_inputs(4, 1);
  float y[1];
  const unsigned original = _mm_getcsr();
  const unsigned ftz = 0x8000, daz = 0x0040, round_down = 0x2000, round_to_zero = 0x6000;
  for (unsigned mode :
       {original, original | ftz | daz, original | round_down, original | round_to_zero | ftz}) {
    _mm_setcsr(mode);
    const status s = p.predict(x, y, workspace);
    const unsigned after = _mm_getcsr();
    _mm_setcsr(original);
    EXPECT_EQ(s, status::ok);
    // The sticky exception flags (bits 0-5) may be raised by the arithmetic; the mode may not
    // change: rounding, FTZ, DAZ and the masks.
    EXPECT_EQ(after & ~0x3Fu, mode & ~0x3Fu) << std::hex << "mode " << mode;
  }
}

TEST_P(PredictorIsa, DefaultModeResultsDoNotDependOnCallersFtzForNormalValues) {
  // Documented: with FTZ/DAZ set only subnormal intermediates can differ; this model has none.
  const model m = random_model({4, 10, 3, 1}, {sig, sig, sig}, true, 3, true);
  const predictor p(m, GetParam());
  std::vector<std::byte> workspace(p.workspace_bytes(1));
  const std::vector<float> x = random_inputs(4, 2);
  float plain[1], flushed[1];
  ASSERT_EQ(p.predict(x, plain, workspace), status::ok);
  const unsigned original = _mm_getcsr();
  _mm_setcsr(original | 0x8040);
  const status s = p.predict(x, flushed, workspace);
  _mm_setcsr(original);
  ASSERT_EQ(s, status::ok);
  EXPECT_EQ(std::memcmp(plain, flushed, sizeof plain), 0);
}

// ---- Every activation -----------------------------------------------------------------------

// Forward in double, with each value's magnitude: what its float rounding errors scale with (the
// sum of |terms| behind it, carried through each activation's slope bound; for softmax, the
// output times the largest logit magnitude, since a logit error e moves p_j by about p_j 2e).
struct activation_reference {
  std::vector<double> value;
  std::vector<double> magnitude;
};

activation_reference reference_any(const model& m, std::span<const float> x) {
  std::vector<double> a(x.begin(), x.end()), mag(x.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (m.has_input_standardization()) a[i] = (a[i] - m.input_mean()[i]) / m.input_stddev()[i];
    mag[i] = std::fabs(a[i]);
  }
  for (std::size_t l = 0; l < m.layer_count(); ++l) {
    const std::size_t n = m.widths()[l], outputs = m.widths()[l + 1];
    std::vector<double> z(outputs), z_mag(outputs);
    for (std::size_t j = 0; j < outputs; ++j) {
      double sum = m.has_bias() ? m.biases(l)[j] : 0.0;
      double magnitude = std::fabs(sum);
      for (std::size_t i = 0; i < n; ++i) {
        const double w = m.weights(l)[i * outputs + j];
        sum += a[i] * w;
        magnitude += mag[i] * std::fabs(w);
      }
      z[j] = sum;
      z_mag[j] = magnitude;
    }
    const activation act = m.layer_activation(l);
    const double slope = m.layer_activation_parameter(l);
    a.assign(outputs, 0.0);
    mag.assign(outputs, 0.0);
    if (act == activation::softmax) {
      const double top = *std::max_element(z.begin(), z.end());
      const double largest = *std::max_element(z_mag.begin(), z_mag.end());
      double total = 0.0;
      for (std::size_t j = 0; j < outputs; ++j) total += std::exp(z[j] - top);
      for (std::size_t j = 0; j < outputs; ++j) {
        a[j] = std::exp(z[j] - top) / total;
        mag[j] = a[j] * std::max(1.0, 2.0 * largest);
      }
      continue;
    }
    double lipschitz = 1.0;
    for (std::size_t j = 0; j < outputs; ++j) {
      switch (act) {
        case activation::sigmoid:
        case activation::sigmoid_fast:
          a[j] = 1.0 / (1.0 + std::exp(-z[j]));
          lipschitz = 0.25;
          break;
        case activation::tanh:
          a[j] = std::tanh(z[j]);
          break;
        case activation::relu:
          a[j] = std::max(z[j], 0.0);
          break;
        case activation::leaky_relu:
          a[j] = z[j] > 0.0 ? z[j] : slope * z[j];
          lipschitz = std::max(1.0, slope);
          break;
        default:  // identity
          a[j] = z[j];
          break;
      }
      mag[j] = std::max(std::fabs(a[j]), lipschitz * z_mag[j]);
    }
  }
  return {a, mag};
}

// The hidden activations under test, each in a model of its own: hidden layers of it and an
// output of it too, or a softmax output.
struct activation_case {
  activation hidden;
  float parameter;
  bool softmax_output;
};

std::vector<activation_case> activation_cases() {
  std::vector<activation_case> cases;
  for (const bool softmax_output : {false, true}) {
    for (const auto& [a, p] :
         {std::pair{activation::sigmoid, 0.0f}, std::pair{activation::sigmoid_fast, 0.0f},
          std::pair{activation::tanh, 0.0f}, std::pair{activation::relu, 0.0f},
          std::pair{activation::leaky_relu, 0.1f}, std::pair{activation::identity, 0.0f}}) {
      cases.push_back({a, p, softmax_output});
    }
  }
  return cases;
}

TEST_P(PredictorIsa, EveryActivationMatchesADoubleReferenceAndTheNetwork) {
  constexpr double relative = 1e-5;
  constexpr std::size_t rows = 37;
  std::uint64_t seed = 40;
  for (const activation_case& c : activation_cases()) {
    const activation out = c.softmax_output ? activation::softmax : c.hidden;
    SCOPED_TRACE(std::string(activation_name(c.hidden)) + " hidden, " + activation_name(out) +
                 " output");
    model_parameters p =
        random_model({6, 16, 12, 5}, {c.hidden, c.hidden, out}, true, ++seed, true).parameters();
    p.activation_parameters = {c.parameter, c.parameter, c.softmax_output ? 0.0f : c.parameter};
    const model m(std::move(p));
    const predictor pred(m, GetParam());
    const std::vector<float> x = random_inputs(rows * 6, seed);
    std::vector<float> y(rows * 5);
    std::vector<std::byte> workspace(pred.workspace_bytes(rows));
    ASSERT_EQ(pred.predict_batch(x, rows, y, workspace), status::ok);

    network_options options;
    options.kernels = GetParam();
    options.max_batch = rows;
    network net = m.make_network(options);
    ASSERT_EQ(net.layer_activation(0), c.hidden);
    ASSERT_EQ(net.layer_activation_parameter(0), c.parameter);
    const auto forward = net.forward(x, rows);
    ASSERT_TRUE(forward);

    std::size_t failures = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const auto row = std::span(y).subspan(r * 5, 5);
      const activation_reference ref = reference_any(m, std::span(x).subspan(r * 6, 6));
      for (std::size_t j = 0; j < 5; ++j) {
        const double tolerance = relative * ref.magnitude[j] + 1e-30;
        const double error = std::fabs(static_cast<double>(row[j]) - ref.value[j]);
        const double apart = std::fabs(static_cast<double>(row[j]) - forward.value[r * 5 + j]);
        if ((error > tolerance || apart > tolerance) && failures++ < 5) {
          ADD_FAILURE() << "row " << r << " output " << j << ": predictor " << row[j]
                        << ", network " << forward.value[r * 5 + j] << ", reference "
                        << ref.value[j] << ", tolerance " << tolerance;
        }
      }
      // The same class, unless the reference's top two are within the tolerance of each other.
      const auto best = static_cast<std::size_t>(
          std::max_element(ref.value.begin(), ref.value.end()) - ref.value.begin());
      double runner_up = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < 5; ++j) {
        if (j != best) runner_up = std::max(runner_up, ref.value[j]);
      }
      if (ref.value[best] - runner_up > 2 * relative * ref.magnitude[best]) {
        EXPECT_EQ(static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin()),
                  best)
            << "row " << r;
      }
    }
    EXPECT_EQ(failures, 0u);
  }
}

// A narrow model's lone rows run dense_forward_narrow_row (lib/kernels/dense.hpp), batches of
// two or more dense_forward: the same bits for every activation, softmax output included, with
// and without standardization and biases, at every output count a layer's vectors can end on.
TEST_P(PredictorIsa, NarrowModelsOneRowPathEqualsTheBatchPathBitwise) {
  constexpr std::size_t rows = 21;
  std::uint64_t seed = 70;
  for (const activation_case& c : activation_cases()) {
    for (const std::vector<std::size_t>& widths :
         {std::vector<std::size_t>{4, 10, 3, 1}, std::vector<std::size_t>{16, 1, 16, 8},
          std::vector<std::size_t>{2, 5, 12, 7}, std::vector<std::size_t>{9, 16}}) {
      const activation out = c.softmax_output ? activation::softmax : c.hidden;
      const bool extras = seed % 2 == 0;  // biases and standardization on every other model
      SCOPED_TRACE(std::string(activation_name(c.hidden)) + " hidden, " + activation_name(out) +
                   " output, " + std::to_string(widths.size()) + " widths from " +
                   std::to_string(widths[0]));
      std::vector<activation> acts(widths.size() - 1, c.hidden);
      acts.back() = out;
      model_parameters p = random_model(widths, acts, extras, ++seed, extras).parameters();
      p.activation_parameters.assign(acts.size(), c.parameter);
      if (c.softmax_output) p.activation_parameters.back() = 0.0f;
      const model m(std::move(p));
      const predictor pred(m, GetParam());
      const std::size_t in = m.input_width(), outs = m.output_width();
      const std::vector<float> x = random_inputs(rows * in, seed);
      std::vector<float> together(rows * outs), alone(rows * outs);
      std::vector<std::byte> workspace(pred.workspace_bytes(rows));
      ASSERT_EQ(pred.predict_batch(x, rows, together, workspace), status::ok);
      for (std::size_t r = 0; r < rows; ++r) {
        ASSERT_EQ(pred.predict(std::span(x).subspan(r * in, in),
                               std::span(alone).subspan(r * outs, outs), workspace),
                  status::ok);
      }
      EXPECT_TRUE(same_bits(together, alone));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, PredictorIsa, ::testing::ValuesIn(testing::all_isas()),
                         testing::isa_param_name);

// ---- API ------------------------------------------------------------------------------------

TEST(Predictor, MisuseReturnsAStatusAndTouchesNothing) {
  const model m = testing::full_model();
  const predictor p(m);
  std::vector<std::byte> workspace(p.workspace_bytes(2));
  const std::vector<float> x = random_inputs(8, 1);
  std::vector<float> y(6, -7.0f);
  EXPECT_EQ(p.predict(std::span(x).first(3), std::span(y).first(3), workspace),
            status::size_mismatch);
  EXPECT_EQ(p.predict(std::span(x).first(4), std::span(y).first(2), workspace),
            status::size_mismatch);
  EXPECT_EQ(p.predict_batch(x, 3, y, workspace), status::size_mismatch);
  EXPECT_EQ(p.predict_batch(std::span(x).first(0), 0, std::span(y).first(0), workspace),
            status::empty_batch);
  // A batch so large that batch * width would overflow must not pass the size check.
  EXPECT_EQ(p.predict_batch(x, std::numeric_limits<std::size_t>::max() / 2 + 3, y, workspace),
            status::size_mismatch);
  EXPECT_EQ(p.predict(std::span(x).first(4), std::span(y).first(3),
                      std::span(workspace).first(p.workspace_bytes(1) - 1)),
            status::workspace_too_small);
  std::vector<float> bad = {1.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f, 0.0f};
  EXPECT_EQ(p.predict(bad, std::span(y).first(3), workspace), status::non_finite_input);
  bad[1] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(p.predict(bad, std::span(y).first(3), workspace), status::non_finite_input);
  EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == -7.0f; }));
  EXPECT_EQ(p.predict(std::span(x).first(4), std::span(y).first(3), workspace), status::ok);
}

TEST(Predictor, MovedFromIsEmpty) {
  predictor p(testing::full_model());
  predictor q(std::move(p));
  std::vector<std::byte> workspace(q.workspace_bytes(1));
  const std::vector<float> x = random_inputs(4, 1);
  float y[3];
  EXPECT_EQ(p.predict(x, y, workspace), status::empty_network);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(p.input_width(), 0u);
  EXPECT_EQ(p.workspace_bytes(1), 0u);
  EXPECT_EQ(q.predict(x, y, workspace), status::ok);
  p = std::move(q);
  EXPECT_EQ(p.predict(x, y, workspace), status::ok);
}

TEST(Predictor, DescribesItsModel) {
  const model m = testing::full_model();
  const predictor p(m);
  EXPECT_EQ(p.input_width(), 4u);
  EXPECT_EQ(p.output_width(), 3u);
  EXPECT_EQ(p.layer_count(), 2u);
  EXPECT_EQ(p.kernels(), active_isa());
  EXPECT_EQ(p.memory_bytes(), predictor::memory_bytes(m));
  ASSERT_EQ(p.class_count(), 3u);
  EXPECT_EQ(p.class_name(0), "setosa");
  EXPECT_EQ(p.class_name(2), "virginica");
  EXPECT_EQ(p.class_name(3), "");
  // Work memory is bounded: batches run in passes of rows_per_pass rows.
  EXPECT_EQ(p.workspace_bytes(100000), p.workspace_bytes(predictor::rows_per_pass));
  EXPECT_LT(p.workspace_bytes(1), p.workspace_bytes(2));
}

TEST(Predictor, UnsupportedIsaIsRefused) {
  for (isa which : testing::all_isas()) {
    if (isa_supported(which)) continue;
    EXPECT_THROW(predictor(testing::full_model(), which), std::invalid_argument) << isa_name(which);
  }
}

TEST(Predictor, AgreesWithTheTrainedNetwork) {
  const std::size_t widths[] = {4, 10, 3, 1};
  network_options options;
  options.max_batch = 16;
  network net(widths, options);
  const float mean[] = {0.5f, -1.0f, 2.0f, 0.0f};
  const float stddev[] = {1.5f, 0.5f, 3.0f, 1.0f};
  net.set_input_standardization(mean, stddev);
  const predictor p{model(net)};
  const std::vector<float> x = random_inputs(16 * 4, 4);
  const auto expected = net.forward(x, 16);
  ASSERT_TRUE(expected);
  std::vector<float> y(16);
  std::vector<std::byte> workspace(p.workspace_bytes(16));
  ASSERT_EQ(p.predict_batch(x, 16, y, workspace), status::ok);
  for (std::size_t r = 0; r < 16; ++r) {
    // Different summation orders: a few ULP apart at most on outputs near 0.5.
    EXPECT_NEAR(y[r], expected.value[r], 4e-7f) << "row " << r;
  }
}

}  // namespace
}  // namespace simdnn
