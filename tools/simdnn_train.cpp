// simdnn-train — train a dense sigmoid network on a CSV file from the command line.
//
//   simdnn-train data/iris.csv --layers 4,10,3 --epochs 2000 --lr 0.5 --batch 32 --seed 1
//                --test-fraction 0.2
//
// Classification: the label column (default: the last) holds integer or string class labels;
// targets are one-hot with one sigmoid output per class, and the predicted class is the argmax.
// --layers lists every width, input and output included; the input width must equal the number
// of feature columns and the output width the number of classes. A mismatch is a usage error
// rather than a silently appended or resized layer: the user's topology is either run as written
// or rejected. Features are standardized with the training split's statistics, which are stored
// in the network (set_input_standardization), so every prediction sees the same scaling.
//
// --save FILE writes the trained model (weights, biases, activations, the standardization
// statistics and the class names) atomically to FILE, for simdnn-predict, simdnn-inspect and
// simdnn::load_model. Its directory is checked before training, so a typo costs no training run.
//
// --notebook reruns the lecture notebook exactly: 4-10-3-1 sigmoid, no biases, weights U(-1, 1),
// raw class indices 0, 1, 2 as the target of the single output, full batch, gradient descent on
// E = 1/2 sum (y - t)^2 with learning rate 0.1 (simdnn's sum reduction at lr 0.05), 100 epochs,
// rows in file order, no standardization and no hold-out. Its accuracy is capped; see the
// summary it prints.
//
// Exit status: 0 success; 1 internal error; 2 usage error (flags, or flags that do not fit the
// data); 3 data error (unreadable or malformed input, or the model could not be saved). Every
// error is one line on stderr.
//
// The pieces live in tools/train/: options.* (the command line), progress.* (what is shown while
// training), evaluate.* and io.* (what both modes share), classifier.cpp and notebook.cpp (the
// two modes). This file only chains them.
#include <cstdio>

#include "simdnn/dataset.hpp"
#include "simdnn/isa.hpp"

#include "cli_support.hpp"
#include "train/io.hpp"
#include "train/modes.hpp"
#include "train/options.hpp"
#include "train/progress.hpp"

namespace simdnn::cli::train {
namespace {

int run(const options& parsed) {
  const clock_type::time_point start_time = clock_type::now();
  std::printf("simdnn-train: ISA %s\n", simdnn::isa_name(simdnn::active_isa()));
  const simdnn::dataset data = load(parsed);
  return parsed.notebook ? train_notebook(parsed, data, start_time)
                         : train_classifier(parsed, data, start_time);
}

}  // namespace
}  // namespace simdnn::cli::train

int main(int argc, char** argv) {
  namespace train = simdnn::cli::train;
  return simdnn::cli::run_tool("simdnn-train", [&] {
    const train::options parsed = train::parse_command_line(argc, argv);
    if (parsed.help) {
      std::fputs(train::usage_text, stdout);
      return 0;
    }
    return train::run(parsed);
  });
}
