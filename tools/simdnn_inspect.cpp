// simdnn-inspect — describe a saved model: format, checksum, topology, sizes.
//
//   simdnn-inspect iris.simdnn       ('-' reads the model from standard input)
//
// The file is fully validated first (the same loader as everything else), so a description is
// only ever printed for a file that would load. Exit status: 0 success; 1 internal error;
// 2 usage error; 3 unreadable or malformed model file. Every error is one line on stderr.
#include <cstdio>
#include <string>
#include <string_view>

#include "simdnn/isa.hpp"
#include "simdnn/model.hpp"
#include "simdnn/network.hpp"
#include "simdnn/predictor.hpp"

#include "cli_support.hpp"

namespace {

constexpr const char* usage_text = R"(usage: simdnn-inspect <model.simdnn>

Validates a model file saved by simdnn-train --save and prints its format version, checksum,
topology, activations, biases, standardization, class names, parameter count and the memory a
predictor and a training network of it take.

exit status: 0 success, 1 internal error, 2 usage error, 3 bad model file
)";

void describe(const std::string& path) {
  const simdnn::model m = simdnn::load_model(path);
  const simdnn::model_file_info info = m.file_info().value();
  std::printf("file: %s (%llu bytes)\n", path.c_str(),
              static_cast<unsigned long long>(info.file_bytes));
  std::printf("format: simdnn model version %u, little-endian, CRC-32C %08x (verified)\n",
              info.format_version, info.checksum);
  std::printf("topology: %s (%zu layers)\n", simdnn::cli::join_widths(m.widths()).c_str(),
              m.layer_count());
  for (std::size_t l = 0; l < m.layer_count(); ++l) {
    std::printf("  layer %zu: %zu -> %zu, %s, %zu weights + %zu biases\n", l + 1, m.widths()[l],
                m.widths()[l + 1], simdnn::cli::activation_text(m, l).c_str(), m.weights(l).size(),
                m.biases(l).size());
  }
  std::printf("bias: %s\n", m.has_bias() ? "yes" : "no");
  std::printf("parameters: %zu (%zu bytes)\n", m.parameter_count(),
              m.parameter_count() * sizeof(float));
  if (m.has_input_standardization()) {
    std::printf("input standardization: yes, mean and stddev of %zu features\n", m.input_width());
  } else {
    std::printf("input standardization: no\n");
  }
  if (m.class_names().empty()) {
    std::printf("classes: none (outputs are values)\n");
  } else {
    std::printf("classes: %zu (", m.class_names().size());
    simdnn::cli::print_class_names(m.class_names());
    std::printf(")\n");
  }
  const simdnn::predictor p(m);
  std::printf(
      "predictor arena: %zu bytes; workspace %zu bytes per call (1 row), %zu (%zu rows "
      "or more); kernels %s\n",
      p.memory_bytes(), p.workspace_bytes(1), p.workspace_bytes(p.rows_per_pass), p.rows_per_pass,
      simdnn::isa_name(p.kernels()));
  simdnn::network_options options;
  options.activations.assign(m.parameters().activations.begin(), m.parameters().activations.end());
  options.bias = m.has_bias();
  options.max_batch = 32;
  std::printf("training network arena: %zu bytes (max batch %zu)\n",
              simdnn::network::arena_bytes(m.widths(), options), options.max_batch);
}

}  // namespace

int main(int argc, char** argv) {
  return simdnn::cli::run_tool("simdnn-inspect", [&] {
    if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
      std::fputs(usage_text, stdout);
      return 0;
    }
    if (argc != 2 || std::string_view(argv[1]).empty() ||
        (std::string_view(argv[1]).starts_with("-") && std::string_view(argv[1]) != "-")) {
      if (argc < 2) throw simdnn::cli::usage_error("no model file given");
      if (argc > 2) throw simdnn::cli::usage_error("expected one model file");
      throw simdnn::cli::usage_error("unknown option " + simdnn::cli::in_quotes(argv[1]));
    }
    // '-' reads the model from standard input (load_model reads pipes up to its size bound).
    describe(std::string_view(argv[1]) == "-" ? "/dev/stdin" : argv[1]);
    return 0;
  });
}
