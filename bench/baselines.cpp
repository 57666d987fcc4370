#include "baselines.hpp"

namespace simdnn::bench {

const baselines* baselines_for(isa which) noexcept {
  if (!isa_supported(which)) return nullptr;
  switch (which) {
    case isa::sse2:
      return &sse2_baselines();
#if defined(SIMDNN_HAVE_AVX2)
    case isa::avx2:
      return &avx2_baselines();
#endif
#if defined(SIMDNN_HAVE_AVX512)
    case isa::avx512:
      return &avx512_baselines();
#endif
    default:
      return nullptr;
  }
}

}  // namespace simdnn::bench
