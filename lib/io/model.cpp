// lib/io/model.cpp — the simdnn::model class: construction, validation, accessors, make_network.
//
// A model is the in-memory form of a model file, so its constructor enforces every invariant the
// format has (simdnn/model.hpp) and anything a model holds can be saved. Reading and writing the
// file are model_reader.cpp and model_writer.cpp; the rules shared with the parser are in
// model_format.hpp.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "io/checks.hpp"
#include "io/model_format.hpp"
#include "nn/activations.hpp"
#include "simdnn/model.hpp"

namespace simdnn {

namespace {

using io::all_finite;

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("simdnn::model: " + what);
}

void validate(const model_parameters& p) {
  const std::size_t layers = p.widths.size() < 2 ? 0 : p.widths.size() - 1;
  if (layers == 0) invalid("needs at least 2 widths (inputs and outputs)");
  if (layers > max_model_layers) {
    invalid(std::to_string(layers) + " layers, more than " + std::to_string(max_model_layers));
  }
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < p.widths.size(); ++i) {
    if (p.widths[i] == 0) invalid("width " + std::to_string(i) + " is 0");
    if (p.widths[i] > max_model_width) {
      invalid("width " + std::to_string(i) + " is above " + std::to_string(max_model_width));
    }
  }
  for (std::size_t l = 0; l < layers; ++l) {
    // Each width <= 2^24: the product fits easily, and the running sum is checked per layer.
    parameters += p.widths[l] * p.widths[l + 1] + (p.bias ? p.widths[l + 1] : 0);
    if (parameters > max_model_parameters) {
      invalid("more than " + std::to_string(max_model_parameters) + " parameters");
    }
  }
  if (p.activations.size() != layers) {
    invalid(std::to_string(p.activations.size()) + " activations for " + std::to_string(layers) +
            " layers");
  }
  if (p.activation_parameters.size() != layers) {
    invalid(std::to_string(p.activation_parameters.size()) + " activation parameters for " +
            std::to_string(layers) + " layers");
  }
  for (std::size_t l = 0; l < layers; ++l) {
    const activation act = p.activations[l];
    if (!is_activation(act)) {
      invalid("activation of layer " + std::to_string(l) + " is not a simdnn::activation value");
    }
    if (activation_output_only(act) && l + 1 != layers) {
      invalid("layer " + std::to_string(l) + ": " + activation_name(act) +
              " is for the output layer only");
    }
    const std::string_view problem = activation_parameter_problem(act, p.activation_parameters[l]);
    if (!problem.empty()) {
      invalid("layer " + std::to_string(l) + " (" + activation_name(act) +
              "): " + std::string(problem));
    }
  }
  if (p.weights.size() != layers || p.biases.size() != layers) {
    invalid("weights and biases need one entry per layer");
  }
  for (std::size_t l = 0; l < layers; ++l) {
    const std::string layer = "layer " + std::to_string(l);
    if (p.weights[l].size() != p.widths[l] * p.widths[l + 1]) {
      invalid(layer + ": " + std::to_string(p.weights[l].size()) + " weights, expected " +
              std::to_string(p.widths[l] * p.widths[l + 1]));
    }
    const std::size_t expected_biases = p.bias ? p.widths[l + 1] : 0;
    if (p.biases[l].size() != expected_biases) {
      invalid(layer + ": " + std::to_string(p.biases[l].size()) + " biases, expected " +
              std::to_string(expected_biases));
    }
    if (!all_finite(p.weights[l]) || !all_finite(p.biases[l])) {
      invalid(layer + ": NaN or infinity in weights or biases");
    }
  }
  const bool has_mean = !p.input_mean.empty();
  const bool has_stddev = !p.input_stddev.empty();
  if (has_mean || has_stddev) {
    if (p.input_mean.size() != p.widths[0] || p.input_stddev.size() != p.widths[0]) {
      invalid("input standardization needs " + std::to_string(p.widths[0]) +
              " means and standard deviations");
    }
    if (!all_finite(p.input_mean) || !all_finite(p.input_stddev)) {
      invalid("NaN or infinity in the input standardization");
    }
    for (float s : p.input_stddev) {
      if (!(s > 0.0f)) invalid("a standard deviation is not positive");
    }
  }
  if (std::string problem = io::class_name_problem(p.class_names, p.widths.back());
      !problem.empty()) {
    invalid(problem);
  }
}

}  // namespace

model::model(model_parameters parameters) : parameters_(std::move(parameters)) {
  // No parameters given: each activation's default, stored explicitly from here on.
  if (parameters_.activation_parameters.empty()) {
    for (activation act : parameters_.activations) {
      parameters_.activation_parameters.push_back(
          is_activation(act) ? nn::parameter_or_default(act, nullptr) : 0.0f);
    }
  }
  validate(parameters_);
}

model::model(model_parameters parameters, trusted) noexcept : parameters_(std::move(parameters)) {}

model::model(const network& net, std::vector<std::string> class_names) {
  if (net.layer_count() == 0) invalid("the network is empty (moved from)");
  model_parameters& p = parameters_;
  p.widths.assign(net.widths().begin(), net.widths().end());
  p.bias = net.has_bias();
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    p.activations.push_back(net.layer_activation(l));
    p.activation_parameters.push_back(net.layer_activation_parameter(l));
    const std::span<const float> w = net.weights(l);
    const std::span<const float> b = net.biases(l);
    p.weights.emplace_back(w.begin(), w.end());
    p.biases.emplace_back(b.begin(), b.end());
  }
  const std::span<const float> mean = net.input_mean();
  const std::span<const float> stddev = net.input_stddev();
  p.input_mean.assign(mean.begin(), mean.end());
  p.input_stddev.assign(stddev.begin(), stddev.end());
  p.class_names = std::move(class_names);
  // A network can hold NaN weights after a diverged training run; the format cannot.
  validate(p);
}

std::size_t model::layer_count() const noexcept {
  return parameters_.widths.size() - 1;
}
std::span<const std::size_t> model::widths() const noexcept {
  return parameters_.widths;
}
std::size_t model::input_width() const noexcept {
  return parameters_.widths.front();
}
std::size_t model::output_width() const noexcept {
  return parameters_.widths.back();
}
activation model::layer_activation(std::size_t layer) const noexcept {
  return layer < layer_count() ? parameters_.activations[layer] : activation::sigmoid;
}
float model::layer_activation_parameter(std::size_t layer) const noexcept {
  return layer < layer_count() ? parameters_.activation_parameters[layer] : 0.0f;
}
std::span<const float> model::weights(std::size_t layer) const noexcept {
  if (layer >= layer_count()) return {};
  return parameters_.weights[layer];
}
std::span<const float> model::biases(std::size_t layer) const noexcept {
  if (layer >= layer_count()) return {};
  return parameters_.biases[layer];
}
bool model::has_input_standardization() const noexcept {
  return !parameters_.input_mean.empty();
}
std::span<const float> model::input_mean() const noexcept {
  return parameters_.input_mean;
}
std::span<const float> model::input_stddev() const noexcept {
  return parameters_.input_stddev;
}
std::span<const std::string> model::class_names() const noexcept {
  return parameters_.class_names;
}
std::size_t model::parameter_count() const noexcept {
  std::size_t count = 0;
  for (std::size_t l = 0; l < layer_count(); ++l) {
    count += parameters_.weights[l].size() + parameters_.biases[l].size();
  }
  return count;
}

network model::make_network(network_options options) const {
  options.activations = parameters_.activations;
  options.activation_parameters = parameters_.activation_parameters;
  options.bias = parameters_.bias;
  network net(parameters_.widths, options);
  for (std::size_t l = 0; l < layer_count(); ++l) {
    std::copy(parameters_.weights[l].begin(), parameters_.weights[l].end(), net.weights(l).begin());
    std::copy(parameters_.biases[l].begin(), parameters_.biases[l].end(), net.biases(l).begin());
  }
  if (has_input_standardization()) {
    net.set_input_standardization(parameters_.input_mean, parameters_.input_stddev);
  }
  return net;
}

}  // namespace simdnn
