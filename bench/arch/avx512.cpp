// bench/arch/avx512.cpp — benchmark baselines built with the avx512 flags only.
#include "arch/baselines_impl.hpp"

namespace simdnn::bench {

const baselines& avx512_baselines() noexcept {
  return make_baselines<xsimd::avx512f>();
}

}  // namespace simdnn::bench
