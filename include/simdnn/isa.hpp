// simdnn/isa.hpp — which instruction set the kernels run on.
//
// simdnn compiles every kernel once per ISA (SSE2, the x86-64 baseline; AVX2 with FMA; AVX-512)
// and picks the best one the CPU *and the operating system* support, once, at first use: CPUID
// says what the core can do, XGETBV says whether the OS saves the wider registers. The environment
// variable SIMDNN_ISA=sse2|avx2|avx512 caps the choice (for tests, valgrind, reproducing a user's
// machine); a cap above what the machine supports falls back to the best supported ISA and says
// so once on stderr.
#pragma once

#include <span>
#include <string_view>

namespace simdnn {

enum class isa : unsigned char { sse2 = 0, avx2 = 1, avx512 = 2 };

// "sse2", "avx2" or "avx512". Never null.
[[nodiscard]] const char* isa_name(isa which) noexcept;

// Parses "sse2", "avx2" or "avx512" (as accepted by SIMDNN_ISA). False on anything else.
[[nodiscard]] bool parse_isa(std::string_view text, isa& out) noexcept;

// True when this build contains kernels for `which` and this CPU and OS can run them.
[[nodiscard]] bool isa_supported(isa which) noexcept;

// The ISA every public entry point dispatches to: the best supported one, capped by SIMDNN_ISA.
// Chosen once, on the first call of any simdnn function; thread-safe.
[[nodiscard]] isa active_isa() noexcept;

// Every ISA supported here, best last (for tests and benchmarks that cover them all).
[[nodiscard]] std::span<const isa> supported_isas() noexcept;

}  // namespace simdnn
