// bench/arch/baselines_impl.hpp — arch-generic baseline bodies; included by bench/arch/<isa>.cpp.
#pragma once

#include <xsimd/xsimd.hpp>

#include "baselines.hpp"
#include "kernels/fma.hpp"

namespace simdnn::bench {
namespace {

// Twelve independent accumulator chains: with a 4-cycle FMA latency and two FMA ports, eight are
// needed to keep both ports busy; twelve leave headroom and still fit 16 vector registers.
constexpr std::size_t kPeakChains = 12;

template <class Arch>
float fma_peak(std::size_t iterations) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  fbatch acc[kPeakChains];
#pragma GCC unroll 16
  for (std::size_t c = 0; c < kPeakChains; ++c) acc[c] = fbatch(static_cast<float>(c) * 1e-3f);
  const fbatch scale(0.999999f), shift(1e-7f);
  for (std::size_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (std::size_t c = 0; c < kPeakChains; ++c)
      acc[c] = kernels::fused_multiply_add<Arch>(acc[c], scale, shift);
  }
  fbatch sum(0.0f);
#pragma GCC unroll 16
  for (std::size_t c = 0; c < kPeakChains; ++c) sum += acc[c];
  // Not xsimd::hadd: in xsimd 8.1 its AVX-512F version uses an AVX-512DQ instruction.
  alignas(64) float lanes[fbatch::size];
  sum.store_aligned(lanes);
  float total = 0.0f;
  for (float lane : lanes) total += lane;
  return total;
}

template <class Arch>
void xsimd_exp_sigmoid(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  const fbatch one(1.0f);
  std::size_t i = 0;
  for (; i + fbatch::size <= n; i += fbatch::size) {
    (one / (one + xsimd::exp(-fbatch::load_unaligned(x + i)))).store_unaligned(y + i);
  }
  for (; i < n; ++i) y[i] = 1.0f / (1.0f + xsimd::exp(-x[i]));
}

// xsimd's own vector tanh: the peer of simdnn's tanh kernel.
template <class Arch>
void xsimd_tanh(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  std::size_t i = 0;
  for (; i + fbatch::size <= n; i += fbatch::size) {
    xsimd::tanh(fbatch::load_unaligned(x + i)).store_unaligned(y + i);
  }
  for (; i < n; ++i) y[i] = xsimd::tanh(x[i]);
}

template <class Arch>
void vector_copy(const float* x, float* y, std::size_t n) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  std::size_t i = 0;
  for (; i + fbatch::size <= n; i += fbatch::size)
    fbatch::load_unaligned(x + i).store_unaligned(y + i);
  for (; i < n; ++i) y[i] = x[i];
}

template <class Arch>
const baselines& make_baselines() noexcept {
  static const baselines table{&fma_peak<Arch>, kPeakChains * 2 * xsimd::batch<float, Arch>::size,
                               &xsimd_exp_sigmoid<Arch>, &vector_copy<Arch>, &xsimd_tanh<Arch>};
  return table;
}

}  // namespace
}  // namespace simdnn::bench
