// bench/ab/iris_trainer.cpp — one Iris 4-10-3-3 trainer (bench/nn/network_setups.hpp: the
// network/iris_epoch/4-10-3-3 benchmark's data and options, full-batch train_batch at lr 0.5)
// behind a C interface, built by tools/bench-ab-iris into one shared object per library version
// (that version's libsimdnn.a inside, its symbols hidden), so two versions run in one process.
#include <cstddef>
#include <vector>

#include "nn/network_setups.hpp"
#include "simdnn/network.hpp"

namespace {

struct trainer {
  simdnn::bench::iris_set iris = simdnn::bench::load_iris_or_synthetic();
  std::vector<std::size_t> widths{4, 10, 3};
  simdnn::network net{widths, simdnn::bench::iris_options(3)};
  std::vector<float> targets = simdnn::bench::iris_targets(iris, 3);
};

}  // namespace

extern "C" __attribute__((visibility("default"))) void* iris_trainer_make() {
  return new trainer;
}

// `epochs` full-batch epochs; the last loss.
extern "C" __attribute__((visibility("default"))) float iris_trainer_run(void* p, int epochs) {
  trainer& t = *static_cast<trainer*>(p);
  float loss = 0.0f;
  for (int i = 0; i < epochs; ++i) {
    loss = t.net.train_batch(t.iris.features, t.targets, 150, 0.5f).value;
  }
  return loss;
}
