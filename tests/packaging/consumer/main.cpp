// Uses the installed simdnn the way the README shows: one GEMM, one sigmoid, prints results.
#include <simdnn/simdnn.hpp>  // the umbrella header: every public header compiles for a consumer

#include <cstdio>
#include <vector>

int main() {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
  std::vector<float> c(4, 0.0f);
  simdnn::sgemm(simdnn::op::none, simdnn::op::none, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f,
                c.data(), 2);
  std::vector<float> s = {0.0f};
  simdnn::sigmoid(s, s);
  // The README's network example: a 2-4-1 net in a static buffer learns y = x0 (one step).
  const std::size_t widths[] = {2, 4, 1};
  simdnn::network_options options;
  options.max_batch = 4;
  static std::byte memory[16384];
  if (simdnn::network::arena_bytes(widths, options) > sizeof memory) return 1;
  simdnn::network net(widths, options, memory);
  const std::vector<float> inputs = {0, 0, 0, 1, 1, 0, 1, 1}, targets = {0, 0, 1, 1};
  float first = 0.0f, last = 0.0f;
  for (int epoch = 0; epoch < 200; ++epoch) {
    const auto loss = net.train_batch(inputs, targets, 4, 2.0f);
    if (!loss) {
      std::printf("error: %s\n", simdnn::status_message(loss.error));
      return 1;
    }
    (epoch == 0 ? first : last) = loss.value;
  }
  std::printf("isa=%s gemm=%g,%g,%g,%g sigmoid0=%g network=%s version=%s\n",
              simdnn::isa_name(simdnn::active_isa()), c[0], c[1], c[2], c[3], s[0],
              last < first ? "learns" : "stuck", simdnn::version_string);
  return 0;
}
