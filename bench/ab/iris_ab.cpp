// bench/ab/iris_ab.cpp — two library versions' Iris epoch in one process (tools/bench-ab-iris):
// loads two trainers (bench/ab/iris_trainer.cpp, one shared object each), checks that they reach
// the same loss bits after 3,000 epochs, then times rounds of 2,000 epochs of each, the order
// flipped every round, and prints the medians and the median per-round ratio. On a shared VM
// whose speed drifts within minutes, only a ratio taken within one round means much.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using make_fn = void* (*)();
using run_fn = float (*)(void*, int);

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: iris_ab OLD.so NEW.so [rounds]\n");
    return 2;
  }
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 40;
  void* trainer[2];
  run_fn run[2];
  for (int k = 0; k < 2; ++k) {
    void* lib = dlopen(argv[1 + k], RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      std::fprintf(stderr, "%s\n", dlerror());
      return 1;
    }
    trainer[k] = reinterpret_cast<make_fn>(dlsym(lib, "iris_trainer_make"))();
    run[k] = reinterpret_cast<run_fn>(dlsym(lib, "iris_trainer_run"));
  }
  const float loss[2] = {run[0](trainer[0], 3000), run[1](trainer[1], 3000)};
  const bool same = std::memcmp(&loss[0], &loss[1], sizeof(float)) == 0;
  std::printf("loss after 3000 epochs: old %.9g, new %.9g (%s)\n", loss[0], loss[1],
              same ? "same bits" : "DIFFERENT");
  std::vector<double> ns[2], ratio;
  for (int r = 0; r < rounds; ++r) {
    double t[2];
    for (int j = 0; j < 2; ++j) {
      const int k = (r + j) % 2;
      const auto start = std::chrono::steady_clock::now();
      run[k](trainer[k], 2000);
      t[k] = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                 .count() /
             2000;
      ns[k].push_back(t[k]);
    }
    ratio.push_back(t[0] / t[1]);
  }
  for (std::vector<double>* v : {&ns[0], &ns[1], &ratio}) std::sort(v->begin(), v->end());
  std::printf("ns per epoch, median of %d rounds: old %.0f, new %.0f; old/new per round %.2fx\n",
              rounds, ns[0][rounds / 2], ns[1][rounds / 2], ratio[rounds / 2]);
  return same ? 0 : 1;
}
