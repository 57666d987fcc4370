// simdnn-convert — ONNX files to simdnn models and back.
//
//   simdnn-convert model.onnx model.simdnn     (import: a network exported by torch.onnx.export)
//   simdnn-convert model.simdnn model.onnx     (export: opset 14, passes the ONNX checker)
//
// The direction follows the names: exactly one of the two must end in ".onnx". The model read is
// fully validated (simdnn/onnx.hpp, simdnn/model.hpp) and its layers printed before anything is
// written. Exit status: 0 success; 1 internal error; 2 usage error; 3 unreadable, malformed or
// unsupported input, or an output that cannot be written, with the reason (for ONNX: the node,
// its op and why). Every error is one line on stderr.
#include <cstdio>
#include <string>
#include <string_view>

#include "simdnn/model.hpp"
#include "simdnn/onnx.hpp"

#include "cli_support.hpp"

namespace {

constexpr const char* usage_text = R"(usage: simdnn-convert <in.onnx> <out.simdnn>
       simdnn-convert <in.simdnn> <out.onnx>

Converts a network between ONNX and simdnn's model format; the direction follows the names
(exactly one ends in .onnx). Reads ONNX graphs that are a chain of Gemm (or MatMul + Add)
layers with Relu, LeakyRelu, Sigmoid, Tanh or Softmax activations, optional (x - mean) / stddev
standardization as Sub and Div before the first layer, and Identity, Flatten or Reshape of the
rows, all float32 (see README, "Models from PyTorch and other frameworks"). Writes ONNX opset 14.
Prints the layers it read.

exit status: 0 success, 1 internal error, 2 usage error, 3 bad or unsupported input or output
)";

bool is_onnx_name(std::string_view name) {
  return name.ends_with(".onnx");
}

void print_model(const std::string& from, const char* format, const simdnn::model& m) {
  std::printf("read %s (%s): %s, %zu layers, %zu parameters\n", from.c_str(), format,
              simdnn::cli::join_widths(m.widths()).c_str(), m.layer_count(), m.parameter_count());
  for (std::size_t l = 0; l < m.layer_count(); ++l) {
    std::printf("  layer %zu: %zu -> %zu, %s%s\n", l + 1, m.widths()[l], m.widths()[l + 1],
                simdnn::cli::activation_text(m, l).c_str(), m.has_bias() ? ", bias" : "");
  }
  std::printf("input standardization: %s\n", m.has_input_standardization() ? "yes" : "no");
  if (!m.class_names().empty()) {
    std::printf("classes: ");
    simdnn::cli::print_class_names(m.class_names());
    std::printf("\n");
  }
}

int convert(const std::string& in, const std::string& out) {
  if (is_onnx_name(in)) {
    const simdnn::model m = simdnn::load_onnx(in);
    print_model(in, "ONNX", m);
    simdnn::save_model(out, m);
    std::printf("wrote %s (simdnn model, format %u)\n", out.c_str(), simdnn::model_format_version);
  } else {
    const simdnn::model m = simdnn::load_model(in == "-" ? "/dev/stdin" : in);
    print_model(in, "simdnn model", m);
    simdnn::save_onnx(out, m);
    std::printf("wrote %s (ONNX, opset %lld)\n", out.c_str(),
                static_cast<long long>(simdnn::onnx_export_opset));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return simdnn::cli::run_tool("simdnn-convert", [&] {
    if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
      std::fputs(usage_text, stdout);
      return 0;
    }
    if (argc != 3) throw simdnn::cli::usage_error("expected an input and an output file");
    const std::string in = argv[1];
    const std::string out = argv[2];
    for (const std::string& name : {in, out}) {
      if (name.empty() || (name.starts_with("-") && name != "-")) {
        throw simdnn::cli::usage_error("unknown option " + simdnn::cli::in_quotes(name));
      }
    }
    if (is_onnx_name(in) == is_onnx_name(out)) {
      throw simdnn::cli::usage_error(
          "cannot tell the direction: exactly one of the two files must end in .onnx");
    }
    try {
      return convert(in, out);
    } catch (const simdnn::onnx_error& error) {
      simdnn::cli::print_error("simdnn-convert", error.what());
      return simdnn::cli::exit_data_error;
    }
  });
}
