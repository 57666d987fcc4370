// tools/train/evaluate.cpp — loss and accuracy of a network over a whole set (see evaluate.hpp).
#include "train/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "simdnn/train.hpp"

#include "cli_support.hpp"

namespace simdnn::cli::train {

[[noreturn]] void internal_error(const char* what, simdnn::status status) {
  throw std::runtime_error(std::string(what) + ": " + simdnn::status_message(status));
}

evaluation evaluate(simdnn::network& net, simdnn::loss_reduction reduction,
                    std::span<const float> features, std::span<const float> targets,
                    std::span<const simdnn::class_index> labels, std::size_t class_count,
                    std::span<std::size_t> predicted_per_class) {
  evaluation result;
  const std::size_t rows = labels.size();
  const std::size_t inputs = net.input_width();
  const std::size_t outputs = net.output_width();
  for (std::size_t start = 0; start < rows; start += net.max_batch()) {
    const std::size_t count = std::min(net.max_batch(), rows - start);
    const auto forward = net.forward(features.subspan(start * inputs, count * inputs), count);
    if (!forward) internal_error("forward", forward.error);
    const auto loss = net.loss(targets.subspan(start * outputs, count * outputs));
    if (!loss) internal_error("loss", loss.error);
    result.loss += reduction == simdnn::loss_reduction::mean
                       ? static_cast<double>(loss.value) * static_cast<double>(count)
                       : static_cast<double>(loss.value);
    for (std::size_t r = 0; r < count; ++r) {
      const std::span<const float> y = forward.value.subspan(r * outputs, outputs);
      const std::size_t predicted = simdnn::predicted_class(y, class_count);
      if (predicted == labels[start + r]) ++result.correct;
      if (!predicted_per_class.empty()) ++predicted_per_class[predicted];
    }
  }
  if (reduction == simdnn::loss_reduction::mean && rows > 0) {
    result.loss /= static_cast<double>(rows);
  }
  return result;
}

}  // namespace simdnn::cli::train
