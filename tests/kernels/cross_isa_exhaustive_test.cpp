// Every one of the 2^32 floats through the elementwise kernels on every FMA ISA this CPU/OS runs,
// compared bitwise (the cross-ISA reproducibility contract, README "Reproducibility"): sigmoid,
// sigmoid_fast, sigmoid_derivative and tanh with x = every bit pattern, sigmoid_delta with s =
// every bit pattern and g = a normal float of either sign in [0.5, 4) whose mantissa is the
// pattern's halves swapped (the product g * slope(s) is one multiplication; the slope is what
// differs between kernels, and a g of any exponent would only make a quarter of the products
// subnormal, which costs a microcode assist each and minutes in all). Label "exhaustive"; 106 s
// on two shared cores with tanh added (the four sigmoid kernels alone: about 40 s). With fewer than
// two FMA ISAs it is skipped, saying which ISAs this CPU/OS runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace simdnn {
namespace {

using kernels::kernel_table;

constexpr std::uint64_t kInputs = std::uint64_t{1} << 32;
constexpr std::size_t kChunk = std::size_t{1} << 20;

struct first_mismatch {
  bool found = false;
  std::uint32_t bits = 0;
  float x = 0.0f, first = 0.0f, other = 0.0f;
};

TEST(CrossIsaExhaustive, EveryFloatGivesTheSameBitsOnEveryFmaIsa) {
  std::vector<const kernel_table*> tables;
  for (isa which : {isa::avx2, isa::avx512}) {
    if (const kernel_table* table = kernels::kernels_for(which)) tables.push_back(table);
  }
  if (tables.size() < 2) {
    std::string runs;
    for (isa which : supported_isas()) runs += std::string(" ") + isa_name(which);
    GTEST_SKIP() << "needs two FMA ISAs (avx2 and avx512) to compare; this CPU/OS runs:" << runs;
  }
  const char* names[] = {"sigmoid", "sigmoid_fast", "sigmoid_derivative", "sigmoid_delta", "tanh"};
  constexpr int kKernels = 5;
  const unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::atomic<std::uint64_t> next_chunk{0};
  std::vector<first_mismatch> mismatches(threads * kKernels);

  auto worker = [&](unsigned id) {
    std::vector<float> x(kChunk), g(kChunk), first(kChunk), other(kChunk);
    for (;;) {
      const std::uint64_t chunk = next_chunk.fetch_add(1);
      const std::uint64_t start = chunk * kChunk;
      if (start >= kInputs) return;
      for (std::size_t i = 0; i < kChunk; ++i) {
        const auto bits = static_cast<std::uint32_t>(start + i);
        const std::uint32_t swapped = (bits << 16) | (bits >> 16);
        const std::uint32_t g_bits =
            (swapped & 0x807FFFFFu) | ((126u + ((bits >> 7) & 3u)) << 23);  // exponent -1..2
        std::memcpy(&x[i], &bits, sizeof(float));
        std::memcpy(&g[i], &g_bits, sizeof(float));
      }
      for (int kernel = 0; kernel < kKernels; ++kernel) {
        first_mismatch& record = mismatches[id * kKernels + kernel];
        if (record.found) continue;
        auto run = [&](const kernel_table& t, std::vector<float>& y) {
          switch (kernel) {
            case 0:
              t.sigmoid(x.data(), y.data(), kChunk);
              break;
            case 1:
              t.sigmoid_fast(x.data(), y.data(), kChunk);
              break;
            case 2:
              t.sigmoid_derivative(x.data(), y.data(), kChunk);
              break;
            case 3:
              t.sigmoid_delta(g.data(), x.data(), y.data(), kChunk);
              break;
            default:
              t.tanh(x.data(), y.data(), kChunk);
              break;
          }
        };
        run(*tables[0], first);
        for (std::size_t t = 1; t < tables.size() && !record.found; ++t) {
          run(*tables[t], other);
          if (std::memcmp(first.data(), other.data(), kChunk * sizeof(float)) == 0) continue;
          for (std::size_t i = 0; i < kChunk; ++i) {
            if (std::memcmp(&first[i], &other[i], sizeof(float)) != 0) {
              record = {true, static_cast<std::uint32_t>(start + i), x[i], first[i], other[i]};
              break;
            }
          }
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned id = 0; id < threads; ++id) pool.emplace_back(worker, id);
  for (std::thread& thread : pool) thread.join();

  for (int kernel = 0; kernel < kKernels; ++kernel) {
    bool clean = true;
    for (unsigned id = 0; id < threads; ++id) {
      const first_mismatch& record = mismatches[id * kKernels + kernel];
      if (!record.found) continue;
      clean = false;
      std::uint32_t first_bits, other_bits;
      std::memcpy(&first_bits, &record.first, sizeof first_bits);
      std::memcpy(&other_bits, &record.other, sizeof other_bits);
      ADD_FAILURE() << names[kernel] << ": input bits 0x" << std::hex << record.bits
                    << " (x = " << record.x << "): " << tables[0]->name << " gives 0x" << first_bits
                    << ", " << tables[1]->name << " 0x" << other_bits;
    }
    if (clean) {
      std::printf("[ cross-ISA ] %s: all 2^32 inputs bitwise equal on %s and %s\n", names[kernel],
                  tables[0]->name, tables[1]->name);
    }
  }
}

}  // namespace
}  // namespace simdnn
