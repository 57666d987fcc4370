// lib/dispatch.cpp — picks the ISA once: CPUID for what the core implements, XGETBV for what the
// OS saves on context switch (a CPU with AVX-512 under an OS or hypervisor that does not enable
// the ZMM state must not run AVX-512 code; xsimd 8.1 does not check this), capped by SIMDNN_ISA.
// Compiled for the baseline ISA only.
#include <cpuid.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "kernels/table.hpp"
#include "simdnn/isa.hpp"

namespace simdnn {
namespace {

struct cpu_support {
  bool avx2_fma = false;
  bool avx512f = false;
};

std::uint64_t read_xcr0() noexcept {
  std::uint32_t eax = 0, edx = 0;
  // XGETBV with ECX = 0 reads XCR0; only valid when CPUID reports OSXSAVE (checked by caller).
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (std::uint64_t{edx} << 32) | eax;
}

cpu_support detect_cpu() noexcept {
  cpu_support support;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return support;
  const bool osxsave = (ecx & (1u << 27)) != 0;
  const bool avx = (ecx & (1u << 28)) != 0;
  const bool fma = (ecx & (1u << 12)) != 0;
  if (!osxsave || !avx) return support;
  const std::uint64_t xcr0 = read_xcr0();
  const bool os_saves_ymm = (xcr0 & 0x6) == 0x6;    // SSE and AVX state
  const bool os_saves_zmm = (xcr0 & 0xE6) == 0xE6;  // + opmask, ZMM0-15 upper, ZMM16-31
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return support;
  const bool avx2 = (ebx & (1u << 5)) != 0;
  const bool avx512f = (ebx & (1u << 16)) != 0;
  support.avx2_fma = avx2 && fma && os_saves_ymm;
  support.avx512f = support.avx2_fma && avx512f && os_saves_zmm;
  return support;
}

#if defined(SIMDNN_HAVE_AVX2)
constexpr bool avx2_compiled_in = true;
#else
constexpr bool avx2_compiled_in = false;
#endif
#if defined(SIMDNN_HAVE_AVX512)
constexpr bool avx512_compiled_in = true;
#else
constexpr bool avx512_compiled_in = false;
#endif

bool compiled_in(isa which) noexcept {
  switch (which) {
    case isa::sse2:
      return true;
    case isa::avx2:
      return avx2_compiled_in;
    case isa::avx512:
      return avx512_compiled_in;
  }
  return false;
}

bool cpu_runs(isa which) noexcept {
  static const cpu_support support = detect_cpu();
  switch (which) {
    case isa::sse2:
      return true;  // part of x86-64
    case isa::avx2:
      return support.avx2_fma;
    case isa::avx512:
      return support.avx512f;
  }
  return false;
}

struct isa_list {
  std::array<isa, 3> items{};
  std::size_t count = 0;
};

const isa_list& supported() noexcept {
  static const isa_list list = [] {
    isa_list l;
    for (isa which : {isa::sse2, isa::avx2, isa::avx512}) {
      if (compiled_in(which) && cpu_runs(which)) l.items[l.count++] = which;
    }
    return l;
  }();
  return list;
}

isa choose_isa() noexcept {
  const isa_list& list = supported();
  const isa best = list.items[list.count - 1];
  const char* cap_text = std::getenv("SIMDNN_ISA");
  if (cap_text == nullptr || *cap_text == '\0') return best;
  isa cap{};
  if (!parse_isa(cap_text, cap)) {
    std::fprintf(stderr,
                 "simdnn: ignoring SIMDNN_ISA=%s (expected sse2, avx2 or avx512); using %s\n",
                 cap_text, isa_name(best));
    return best;
  }
  if (static_cast<int>(cap) > static_cast<int>(best)) {
    std::fprintf(stderr, "simdnn: SIMDNN_ISA=%s is not supported by this CPU/OS; using %s\n",
                 cap_text, isa_name(best));
    return best;
  }
  // The cap itself is supported: ISAs are cumulative on x86-64 and every one is compiled in.
  return compiled_in(cap) ? cap : isa::sse2;
}

}  // namespace

const char* isa_name(isa which) noexcept {
  switch (which) {
    case isa::sse2:
      return "sse2";
    case isa::avx2:
      return "avx2";
    case isa::avx512:
      return "avx512";
  }
  return "unknown";
}

bool parse_isa(std::string_view text, isa& out) noexcept {
  for (isa which : {isa::sse2, isa::avx2, isa::avx512}) {
    if (text == isa_name(which)) {
      out = which;
      return true;
    }
  }
  return false;
}

bool isa_supported(isa which) noexcept {
  return compiled_in(which) && cpu_runs(which);
}

std::span<const isa> supported_isas() noexcept {
  const isa_list& list = supported();
  return {list.items.data(), list.count};
}

isa active_isa() noexcept {
  static const isa chosen = choose_isa();
  return chosen;
}

namespace kernels {

const kernel_table* kernels_for(isa which) noexcept {
  if (!isa_supported(which)) return nullptr;
  switch (which) {
    case isa::sse2:
      return &sse2_kernels();
#if defined(SIMDNN_HAVE_AVX2)
    case isa::avx2:
      return &avx2_kernels();
#endif
#if defined(SIMDNN_HAVE_AVX512)
    case isa::avx512:
      return &avx512_kernels();
#endif
    default:
      return nullptr;
  }
}

const kernel_table& best_kernels() noexcept {
  static const kernel_table& table = *kernels_for(active_isa());
  return table;
}

}  // namespace kernels
}  // namespace simdnn
