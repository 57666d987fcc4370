// tools/train/io.cpp — loading and describing the training data, saving the trained model (see
// io.hpp).
#include "train/io.hpp"

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <utility>

#include "simdnn/model.hpp"

#include "cli_support.hpp"

namespace simdnn::cli::train {

simdnn::dataset load(const options& parsed) {
  simdnn::csv_options csv;
  csv.kind = simdnn::task::classification;
  csv.target_columns = {parsed.label_column};
  csv.header = parsed.header;
  if (parsed.data_path == "-") return simdnn::read_csv(std::cin, "<stdin>", csv);
  return simdnn::load_csv(parsed.data_path, csv);
}

void print_data_line(const options& parsed, const simdnn::dataset& data) {
  const char* const name = parsed.data_path == "-" ? "<stdin>" : parsed.data_path.c_str();
  std::printf("data: %s: %zu rows, %zu features, %zu classes (", name, data.rows(),
              data.feature_count(), data.class_count());
  simdnn::cli::print_class_names(data.class_names());
  std::printf(")\n");
}

void save_if_asked(const options& parsed, const simdnn::network& net,
                   std::vector<std::string> class_names) {
  if (parsed.save_path.empty()) return;
  const simdnn::model trained = [&] {
    try {
      return simdnn::model(net, std::move(class_names));
    } catch (const std::invalid_argument& error) {
      // NaN or infinite weights after a diverged run: the format (rightly) refuses them.
      throw std::runtime_error(std::string("cannot save the model: ") + error.what() +
                               " (did training diverge? try a lower --lr)");
    }
  }();
  simdnn::save_model(parsed.save_path, trained);
  std::printf("saved: %s (%zu parameters, format %u)\n", parsed.save_path.c_str(),
              trained.parameter_count(), simdnn::model_format_version);
}

}  // namespace simdnn::cli::train
