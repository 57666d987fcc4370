// bench/ab/ab_main.cpp — the in-process A/B harness: loads two builds of ab_entry.cpp (each
// linked with its own libsimdnn.a, RTLD_LOCAL, -Bsymbolic) and times their tasks alternately,
// A B then B A, so both see the same drift of the machine's speed. Prints per task the median
// time per call of each side and the median of the pairwise ratios old / new (> 1: new faster).
//   usage: simdnn_ab old.so new.so [repetitions [iterations-per-sample]]
// tools/bench-ab-network.sh builds both sides from two git revisions and runs this.
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using time_fn = double (*)(int, int);
using isa_fn = const char* (*)();

struct side {
  time_fn time;
  isa_fn isa;
};

side load(const char* path) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "simdnn_ab: %s\n", dlerror());
    std::exit(2);
  }
  side s{reinterpret_cast<time_fn>(dlsym(handle, "simdnn_ab_time")),
         reinterpret_cast<isa_fn>(dlsym(handle, "simdnn_ab_isa"))};
  if (s.time == nullptr || s.isa == nullptr) {
    std::fprintf(stderr, "simdnn_ab: %s lacks the entry points\n", path);
    std::exit(2);
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: simdnn_ab old.so new.so [repetitions [iterations]]\n");
    return 2;
  }
  const side sides[2] = {load(argv[1]), load(argv[2])};
  const int repetitions = argc > 3 ? std::atoi(argv[3]) : 15;
  const int iterations = argc > 4 ? std::atoi(argv[4]) : 10;
  std::printf("isa: old %s, new %s; %d samples of %d calls each, alternated A B / B A\n",
              sides[0].isa(), sides[1].isa(), repetitions, iterations);
  const char* names[4] = {"train_step/784-256-128-10/b256", "forward/784-256-128-10/b256",
                          "train_step/784-256-128-10/b256/threads:2",
                          "forward/784-256-128-10/b256/threads:2"};
  for (int task = 0; task < 4; ++task) {
    for (const side& s : sides) s.time(task, iterations);  // warm up: pages, caches, threads
    std::vector<double> t[2], ratio;
    for (int r = 0; r < repetitions; ++r) {
      double sample[2];
      for (int k = 0; k < 2; ++k) {
        const int which = (r % 2 == 0) ? k : 1 - k;
        sample[which] = sides[which].time(task, iterations) / iterations;
        if (sample[which] < 0) {
          std::fprintf(stderr, "simdnn_ab: task %d failed\n", task);
          return 1;
        }
      }
      t[0].push_back(sample[0]);
      t[1].push_back(sample[1]);
      ratio.push_back(sample[0] / sample[1]);
    }
    std::printf(
        "%-42s old %8.3f ms  new %8.3f ms  old/new %.3f (median of pairs; range %.3f-%.3f)\n",
        names[task], median(t[0]) * 1e3, median(t[1]) * 1e3, median(ratio),
        *std::min_element(ratio.begin(), ratio.end()),
        *std::max_element(ratio.begin(), ratio.end()));
  }
  return 0;
}
