// bench/peers/eigen_mlp.hpp — the Eigen 3.4 MLP peers' bodies (interface: eigen_peer.hpp). Included
// by exactly one translation unit per shared object: eigen_mlp.cpp (Eigen's own products) or
// eigen_mlp_openblas.cpp (EIGEN_USE_BLAS first, so Eigen hands its large products to BLAS).
// peers.cmake defines SIMDNN_EIGEN_PEER_FUNCTION (the exported getter), SIMDNN_EIGEN_PEER_NAME and
// SIMDNN_EIGEN_PEER_FLAGS per variant. Everything else has internal linkage.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "peers/eigen_peer.hpp"

namespace simdnn::bench::peers {
namespace {

using matrix = Eigen::MatrixXf;  // column-major, Eigen's default
using vector = Eigen::VectorXf;
using row_vector = Eigen::RowVectorXf;
using row_major = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The textbook sigmoid on Eigen arrays, as Eigen users write it.
template <class Derived>
auto sigmoid(const Eigen::ArrayBase<Derived>& z) {
  return (1.0f + (-z).exp()).inverse();
}

// The optimizer may neither assume where `p` points nor skip the writes before this point.
template <class T>
void hide(T*& p) {
  asm volatile("" : "+r"(p));
}
inline void force_to_memory(const void* p) {
  asm volatile("" : : "r"(p) : "memory");
}

Eigen::Index index(std::size_t n) {
  return static_cast<Eigen::Index>(n);
}

// Single-sample forward on dynamic-size Eigen objects: each layer's weights as an out x in
// column-major matrix (the same bytes as simdnn's in x out row-major), y = f(W x + b).
class dynamic_forward final : public mlp_forward {
 public:
  explicit dynamic_forward(const mlp_parameters& p)
      : x_(index(p.widths.front())), bias_(!p.biases.empty() && !p.biases.front().empty()) {
    standardize_ = !p.mean.empty();
    if (standardize_) {
      mean_ = Eigen::Map<const Eigen::ArrayXf>(p.mean.data(), x_.size());
      stddev_ = Eigen::Map<const Eigen::ArrayXf>(p.stddev.data(), x_.size());
    }
    for (std::size_t l = 0; l + 1 < p.widths.size(); ++l) {
      const Eigen::Index in = index(p.widths[l]), out = index(p.widths[l + 1]);
      layer next{Eigen::Map<const matrix>(p.weights[l].data(), out, in), vector::Zero(out),
                 vector::Zero(out)};
      if (bias_) next.b = Eigen::Map<const vector>(p.biases[l].data(), out);
      layers_.push_back(std::move(next));
    }
  }

  const float* forward(const float* input) override { return run(input); }

  const float* forward_loop(const float* inputs, std::size_t samples, std::size_t calls) override {
    const float* y = nullptr;
    const auto width = static_cast<std::size_t>(x_.size());
    for (std::size_t i = 0; i < calls; ++i) {
      const float* x = inputs + (i % samples) * width;
      hide(x);
      y = run(x);
      force_to_memory(y);
    }
    return y;
  }

  const float* forward_chain(const float* first, std::size_t calls) override {
    std::vector<float> x(first, first + x_.size());
    const float* y = nullptr;
    for (std::size_t i = 0; i < calls; ++i) {
      y = run(x.data());
      x[0] = y[0] * 0.5f;
    }
    return y;
  }

 private:
  struct layer {
    matrix w;
    vector b, a;
  };

  const float* run(const float* input) {
    const Eigen::Map<const vector> in(input, x_.size());
    if (standardize_) {
      x_.array() = (in.array() - mean_) / stddev_;
    } else {
      x_ = in;
    }
    const vector* previous = &x_;
    for (layer& l : layers_) {
      l.a.noalias() = l.w * *previous;
      if (bias_) l.a += l.b;
      l.a.array() = sigmoid(l.a.array());
      previous = &l.a;
    }
    return previous->data();
  }

  vector x_;
  Eigen::ArrayXf mean_, stddev_;
  bool standardize_ = false, bias_;
  std::vector<layer> layers_;
};

// The 4-10-3-1 forward on fixed-size objects: every size known to the compiler, nothing on the
// heap, the whole pass inlined.
class fixed_forward final : public mlp_forward {
 public:
  explicit fixed_forward(const mlp_parameters& p) {
    load(p, 0, w1_, b1_);
    load(p, 1, w2_, b2_);
    load(p, 2, w3_, b3_);
    if (!p.mean.empty()) {
      mean_ = Eigen::Map<const Eigen::Array4f>(p.mean.data());
      stddev_ = Eigen::Map<const Eigen::Array4f>(p.stddev.data());
    }
  }

  const float* forward(const float* input) override { return run(input); }

  const float* forward_loop(const float* inputs, std::size_t samples, std::size_t calls) override {
    const float* y = nullptr;
    for (std::size_t i = 0; i < calls; ++i) {
      const float* x = inputs + (i % samples) * 4;
      hide(x);
      y = run(x);
      force_to_memory(y);
    }
    return y;
  }

  const float* forward_chain(const float* first, std::size_t calls) override {
    float x[4] = {first[0], first[1], first[2], first[3]};
    const float* y = nullptr;
    for (std::size_t i = 0; i < calls; ++i) {
      y = run(x);
      x[0] = y[0] * 0.5f;
    }
    return y;
  }

 private:
  template <int In, int Out>
  static void load(const mlp_parameters& p, std::size_t l, Eigen::Matrix<float, Out, In>& w,
                   Eigen::Matrix<float, Out, 1>& b) {
    w = Eigen::Map<const Eigen::Matrix<float, Out, In>>(p.weights[l].data());
    b.setZero();  // no bias: adding zero is exact
    if (!p.biases.empty() && !p.biases[l].empty()) {
      b = Eigen::Map<const Eigen::Matrix<float, Out, 1>>(p.biases[l].data());
    }
  }

  const float* run(const float* input) {
    const Eigen::Vector4f x =
        ((Eigen::Map<const Eigen::Array4f>(input) - mean_) / stddev_).matrix();
    const Eigen::Matrix<float, 10, 1> h1 = sigmoid((w1_ * x + b1_).array()).matrix();
    const Eigen::Vector3f h2 = sigmoid((w2_ * h1 + b2_).array()).matrix();
    y_ = sigmoid((w3_ * h2 + b3_).array()).matrix();
    return y_.data();
  }

  Eigen::Matrix<float, 10, 4> w1_;
  Eigen::Matrix<float, 10, 1> b1_;
  Eigen::Matrix<float, 3, 10> w2_;
  Eigen::Vector3f b2_;
  Eigen::Matrix<float, 1, 3> w3_;
  Eigen::Matrix<float, 1, 1> b3_, y_;
  Eigen::Array4f mean_ = Eigen::Array4f::Zero(), stddev_ = Eigen::Array4f::Ones();
};

// Full-batch training: the batch as rows (batch x width, column-major), W_l as in x out, every
// buffer sized at construction; the update of layer l follows its backward step (its old weights
// are no longer needed), as an Eigen user would write the loop.
class dynamic_trainer final : public mlp_trainer {
 public:
  explicit dynamic_trainer(const mlp_training& t)
      : widths_(t.initial.widths),
        bias_(!t.initial.biases.empty() && !t.initial.biases.front().empty()),
        learning_rate_(t.learning_rate) {
    const Eigen::Index batch = index(t.batch);
    x_ = Eigen::Map<const row_major>(t.inputs.data(), batch, index(widths_.front()));
    t_ = Eigen::Map<const row_major>(t.targets.data(), batch, index(widths_.back()));
    const double count = static_cast<double>(t.batch * widths_.back());
    divisor_ = t.mean_reduction ? count : 1.0;
    scale_ = static_cast<float>(2.0 / divisor_);
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
      const Eigen::Index in = index(widths_[l]), out = index(widths_[l + 1]);
      layer next;
      next.w = Eigen::Map<const row_major>(t.initial.weights[l].data(), in, out);
      next.dw = matrix::Zero(in, out);
      next.a = matrix::Zero(batch, out);
      next.delta = matrix::Zero(batch, out);
      next.b = row_vector::Zero(out);
      next.db = row_vector::Zero(out);
      if (bias_) next.b = Eigen::Map<const row_vector>(t.initial.biases[l].data(), out);
      layers_.push_back(std::move(next));
    }
  }

  float step() override {
    const matrix* input = &x_;
    for (layer& l : layers_) {
      l.a.noalias() = *input * l.w;
      if (bias_) l.a.rowwise() += l.b;
      l.a.array() = sigmoid(l.a.array());
      input = &l.a;
    }
    layer& last = layers_.back();
    last.delta = last.a - t_;
    const float sum = last.delta.squaredNorm();
    last.delta.array() *= scale_ * last.a.array() * (1.0f - last.a.array());
    for (std::size_t l = layers_.size(); l-- > 0;) {
      layer& current = layers_[l];
      const matrix& in = l == 0 ? x_ : layers_[l - 1].a;
      current.dw.noalias() = in.transpose() * current.delta;
      if (bias_) current.db = current.delta.colwise().sum();
      if (l > 0) {
        layer& previous = layers_[l - 1];
        previous.delta.noalias() = current.delta * current.w.transpose();
        previous.delta.array() *= previous.a.array() * (1.0f - previous.a.array());
      }
      current.w.noalias() -= learning_rate_ * current.dw;
      if (bias_) current.b.noalias() -= learning_rate_ * current.db;
    }
    return static_cast<float>(static_cast<double>(sum) / divisor_);
  }

  [[nodiscard]] mlp_parameters parameters() const override {
    return export_layers([](const layer& l) { return std::pair(&l.w, &l.b); });
  }
  [[nodiscard]] mlp_parameters gradients() const override {
    return export_layers([](const layer& l) { return std::pair(&l.dw, &l.db); });
  }

 private:
  struct layer {
    matrix w, dw, a, delta;
    row_vector b, db;
  };

  template <class Pick>
  mlp_parameters export_layers(Pick pick) const {
    mlp_parameters p;
    p.widths = widths_;
    for (const layer& l : layers_) {
      const auto picked = pick(l);
      const matrix& w = *picked.first;
      const row_vector& b = *picked.second;
      std::vector<float> weights(static_cast<std::size_t>(w.size()));
      Eigen::Map<row_major>(weights.data(), w.rows(), w.cols()) = w;
      p.weights.push_back(std::move(weights));
      p.biases.emplace_back();
      if (bias_) p.biases.back().assign(b.data(), b.data() + b.size());
    }
    return p;
  }

  std::vector<std::size_t> widths_;
  bool bias_;
  float learning_rate_, scale_ = 0.0f;
  double divisor_ = 1.0;
  matrix x_, t_;
  std::vector<layer> layers_;
};

std::unique_ptr<mlp_trainer> make_trainer(const mlp_training& t) {
  return std::make_unique<dynamic_trainer>(t);
}
std::unique_ptr<mlp_forward> make_forward(const mlp_parameters& p) {
  return std::make_unique<dynamic_forward>(p);
}
std::unique_ptr<mlp_forward> make_fixed_forward(const mlp_parameters& p) {
  if (p.widths != std::vector<std::size_t>{4, 10, 3, 1}) return nullptr;
  return std::make_unique<fixed_forward>(p);
}

}  // namespace
}  // namespace simdnn::bench::peers

const simdnn::bench::peers::eigen_peer& SIMDNN_EIGEN_PEER_FUNCTION() {
#ifdef EIGEN_USE_BLAS
  constexpr bool uses_blas = true;
#else
  constexpr bool uses_blas = false;
#endif
#define SIMDNN_EIGEN_STRING(x) SIMDNN_EIGEN_STRING_(x)
#define SIMDNN_EIGEN_STRING_(x) #x
  static const simdnn::bench::peers::eigen_peer peer{
      SIMDNN_EIGEN_PEER_NAME,
      SIMDNN_EIGEN_STRING(EIGEN_WORLD_VERSION) "." SIMDNN_EIGEN_STRING(
          EIGEN_MAJOR_VERSION) "." SIMDNN_EIGEN_STRING(EIGEN_MINOR_VERSION),
      SIMDNN_EIGEN_PEER_FLAGS,
      Eigen::SimdInstructionSetsInUse(),
      uses_blas,
      simdnn::bench::peers::make_trainer,
      simdnn::bench::peers::make_forward,
      simdnn::bench::peers::make_fixed_forward};
  return peer;
}
