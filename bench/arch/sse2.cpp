// bench/arch/sse2.cpp — benchmark baselines built with the sse2 flags only.
#include "arch/baselines_impl.hpp"

namespace simdnn::bench {

const baselines& sse2_baselines() noexcept {
  return make_baselines<xsimd::sse2>();
}

}  // namespace simdnn::bench
