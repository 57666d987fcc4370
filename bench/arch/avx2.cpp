// bench/arch/avx2.cpp — benchmark baselines built with the avx2 flags only.
#include "arch/baselines_impl.hpp"

namespace simdnn::bench {

const baselines& avx2_baselines() noexcept {
  return make_baselines<xsimd::fma3<xsimd::avx2>>();
}

}  // namespace simdnn::bench
