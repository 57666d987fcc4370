// tests/nn/reference.hpp — a plain double-precision network to check simdnn::network against,
// with a first-order rounding-error bound for every float quantity the network computes, and a
// tiny reader for data/iris.csv (the library's CSV loader is tested on its own).
//
// The error bounds follow the kernels' written contracts, nothing tighter:
//   sgemm:   |c - exact| <= (k + 2) eps (sum_p |a b| + |beta c0|)        (simdnn/sgemm.hpp)
//   sigmoid: <= 1.5 ULP <= 1.5 eps |a| (+ FLT_MIN for the documented flush to zero),
//            and a perturbation of z moves sigmoid(z) by at most |dz| / 4
//   sigmoid_delta g s (1 - s): two roundings (3 allowed here)          (simdnn/activation.hpp)
//   elementwise float ops in the network (y - t, times scale, column sums, standardizing): one
//   rounding each, sums of n terms n - 1 roundings.
// eps is FLT_EPSILON (2^-23), twice the unit roundoff, so each term already has a factor-2 margin;
// second-order terms (eps^2) are covered by the callers' 1.5x factor.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "simdnn/network.hpp"

namespace simdnn::testing {

inline constexpr double float_eps = FLT_EPSILON;

using matrix = std::vector<double>;  // row-major, dimensions kept by the caller

struct reference_net {
  std::vector<std::size_t> widths;
  std::vector<activation> activations;
  std::vector<matrix> weights;  // widths[l] x widths[l+1]
  std::vector<matrix> biases;   // widths[l+1] each; all zero (and unused) without bias
  bool bias = true;
  loss_reduction reduction = loss_reduction::mean;
  // Standardization as the network applies it; empty when off.
  std::vector<double> mean, stddev;

  // A copy of `net`'s current float parameters in double.
  static reference_net of(const network& net, loss_reduction reduction) {
    reference_net ref;
    const auto w = net.widths();
    ref.widths.assign(w.begin(), w.end());
    ref.bias = net.has_bias();
    ref.reduction = reduction;
    for (std::size_t l = 0; l < net.layer_count(); ++l) {
      ref.activations.push_back(net.layer_activation(l));
      const auto weights = net.weights(l);
      ref.weights.emplace_back(weights.begin(), weights.end());
      const auto biases = net.biases(l);
      ref.biases.push_back(ref.bias ? matrix(biases.begin(), biases.end())
                                    : matrix(ref.widths[l + 1], 0.0));
    }
    ref.mean.assign(net.input_mean().begin(), net.input_mean().end());
    ref.stddev.assign(net.input_stddev().begin(), net.input_stddev().end());
    return ref;
  }
  std::size_t layers() const { return widths.size() - 1; }
  std::size_t outputs() const { return widths.back(); }
};

// What a forward pass saved: a[0] the (standardized) inputs, a[l + 1] layer l's outputs, and for
// each a bound on |float value - a| in the network's float forward pass.
struct reference_forward {
  std::vector<matrix> a;
  std::vector<matrix> error;
  std::size_t batch = 0;
};

inline double sigmoid_exact(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

inline reference_forward forward(const reference_net& net, const std::vector<float>& inputs,
                                 std::size_t batch) {
  reference_forward pass;
  pass.batch = batch;
  const std::size_t in = net.widths[0];
  matrix x(batch * in), x_error(batch * in, 0.0);
  for (std::size_t i = 0; i < batch * in; ++i) {
    x[i] = inputs[i];
    if (!net.mean.empty()) {
      const std::size_t j = i % in;
      x[i] = (x[i] - net.mean[j]) / net.stddev[j];
      x_error[i] = 2 * float_eps * std::fabs(x[i]);  // a subtraction and a division
    }
  }
  pass.a.push_back(x);
  pass.error.push_back(x_error);
  for (std::size_t l = 0; l < net.layers(); ++l) {
    const std::size_t k = net.widths[l], n = net.widths[l + 1];
    const matrix& prev = pass.a[l];
    const matrix& prev_error = pass.error[l];
    matrix a(batch * n), error(batch * n);
    for (std::size_t r = 0; r < batch; ++r) {
      for (std::size_t j = 0; j < n; ++j) {
        double z = net.bias ? net.biases[l][j] : 0.0;
        double magnitude = std::fabs(z);  // sum |a b| + |beta c0| of the sgemm contract
        double propagated = 0.0;          // the inputs' own errors, carried through W
        for (std::size_t p = 0; p < k; ++p) {
          const double w = net.weights[l][p * n + j];
          z += prev[r * k + p] * w;
          magnitude += std::fabs(prev[r * k + p] * w);
          propagated += std::fabs(w) * prev_error[r * k + p];
        }
        const double z_error = static_cast<double>(k + 2) * float_eps * magnitude + propagated;
        if (net.activations[l] == activation::sigmoid) {
          a[r * n + j] = sigmoid_exact(z);
          error[r * n + j] = z_error / 4 + 1.5 * float_eps * a[r * n + j] + FLT_MIN;
        } else {
          a[r * n + j] = z;
          error[r * n + j] = z_error;
        }
      }
    }
    pass.a.push_back(std::move(a));
    pass.error.push_back(std::move(error));
  }
  return pass;
}

inline double loss(const reference_net& net, const reference_forward& pass,
                   const std::vector<float>& targets) {
  const matrix& y = pass.a.back();
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) sum += (y[i] - targets[i]) * (y[i] - targets[i]);
  return net.reduction == loss_reduction::sum ? sum : sum / static_cast<double>(y.size());
}

// dL/dW and dL/db for every layer, and for each a first-order bound on the float network's error.
struct reference_gradients {
  std::vector<matrix> weights, biases;
  std::vector<matrix> weight_bounds, bias_bounds;
};

// Backprop in double from the saved activations, with the running error bound of the float
// computation alongside (using the forward errors in pass.error).
inline reference_gradients backward(const reference_net& net, const reference_forward& pass,
                                    const std::vector<float>& targets) {
  const std::size_t batch = pass.batch;
  const std::size_t layers = net.layers();
  reference_gradients g;
  g.weights.resize(layers);
  g.biases.resize(layers);
  g.weight_bounds.resize(layers);
  g.bias_bounds.resize(layers);

  const double scale =
      net.reduction == loss_reduction::sum ? 2.0 : 2.0 / static_cast<double>(batch * net.outputs());
  // delta = dL/dZ of the current layer, and its error bound.
  matrix delta(batch * net.outputs()), delta_error(batch * net.outputs());
  {
    const matrix& y = pass.a.back();
    const matrix& y_error = pass.error.back();
    const bool sigmoid = net.activations.back() == activation::sigmoid;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double diff = y[i] - targets[i];
      // d = fl(scale * fl(y - t)): two roundings, plus the float scale's own rounding.
      const double d = scale * diff;
      double d_error = scale * y_error[i] + 3 * float_eps * std::fabs(d);
      if (sigmoid) {
        const double slope = y[i] * (1 - y[i]);
        // d * s (1 - s): the error of d scaled by the slope, the slope's error from s's error
        // (|d slope / ds| = |1 - 2s|), and sigmoid_delta's roundings (two by its contract; three
        // allowed, in case 1 - s is rounded separately).
        d_error = d_error * slope + std::fabs(d) * std::fabs(1 - 2 * y[i]) * y_error[i] +
                  3 * float_eps * std::fabs(d * slope);
        delta[i] = d * slope;
      } else {
        delta[i] = d;
      }
      delta_error[i] = d_error;
    }
  }
  for (std::size_t l = layers; l-- > 0;) {
    const std::size_t k = net.widths[l], n = net.widths[l + 1];
    const matrix& x = pass.a[l];
    const matrix& x_error = pass.error[l];
    matrix& dw = g.weights[l];
    matrix& dw_bound = g.weight_bounds[l];
    dw.assign(k * n, 0.0);
    dw_bound.assign(k * n, 0.0);
    for (std::size_t p = 0; p < k; ++p) {
      for (std::size_t j = 0; j < n; ++j) {
        double sum = 0.0, magnitude = 0.0, propagated = 0.0;
        for (std::size_t r = 0; r < batch; ++r) {
          const double xv = x[r * k + p], dv = delta[r * n + j];
          sum += xv * dv;
          magnitude += std::fabs(xv * dv);
          propagated += std::fabs(xv) * delta_error[r * n + j] + x_error[r * k + p] * std::fabs(dv);
        }
        dw[p * n + j] = sum;
        dw_bound[p * n + j] = static_cast<double>(batch + 2) * float_eps * magnitude + propagated;
      }
    }
    g.biases[l].assign(n, 0.0);
    g.bias_bounds[l].assign(n, 0.0);
    if (net.bias) {
      for (std::size_t j = 0; j < n; ++j) {
        double sum = 0.0, magnitude = 0.0, propagated = 0.0;
        for (std::size_t r = 0; r < batch; ++r) {
          sum += delta[r * n + j];
          magnitude += std::fabs(delta[r * n + j]);
          propagated += delta_error[r * n + j];
        }
        g.biases[l][j] = sum;
        g.bias_bounds[l][j] = static_cast<double>(batch) * float_eps * magnitude + propagated;
      }
    }
    if (l == 0) break;
    // delta_prev = (delta W^T) * f'(a_prev)
    const bool sigmoid = net.activations[l - 1] == activation::sigmoid;
    matrix prev(batch * k), prev_error(batch * k);
    for (std::size_t r = 0; r < batch; ++r) {
      for (std::size_t p = 0; p < k; ++p) {
        double sum = 0.0, magnitude = 0.0, propagated = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
          const double w = net.weights[l][p * n + j];
          sum += delta[r * n + j] * w;
          magnitude += std::fabs(delta[r * n + j] * w);
          propagated += std::fabs(w) * delta_error[r * n + j];
        }
        const double g_error = static_cast<double>(n + 2) * float_eps * magnitude + propagated;
        if (sigmoid) {
          const double s = x[r * k + p];
          const double slope = s * (1 - s);
          prev[r * k + p] = sum * slope;
          prev_error[r * k + p] = g_error * slope +
                                  std::fabs(sum) * std::fabs(1 - 2 * s) * x_error[r * k + p] +
                                  3 * float_eps * std::fabs(sum * slope);
        } else {
          prev[r * k + p] = sum;
          prev_error[r * k + p] = g_error;
        }
      }
    }
    delta = std::move(prev);
    delta_error = std::move(prev_error);
  }
  return g;
}

// data/iris.csv: a header line, then 150 rows of 4 features and a class 0, 1 or 2, in file order.
struct iris_data {
  std::vector<float> features;  // 150 x 4
  std::vector<int> labels;      // 150
  std::size_t rows() const { return labels.size(); }
};

inline iris_data load_iris() {
  const std::string path = std::string(SIMDNN_DATA_DIR) + "/iris.csv";
  std::ifstream file(path);
  iris_data data;
  if (!file) return data;  // callers assert on rows()
  std::string line;
  std::getline(file, line);  // header
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string field;
    for (int column = 0; column < 4; ++column) {
      std::getline(fields, field, ',');
      data.features.push_back(std::strtof(field.c_str(), nullptr));
    }
    std::getline(fields, field, ',');
    data.labels.push_back(std::atoi(field.c_str()));
  }
  return data;
}

}  // namespace simdnn::testing
