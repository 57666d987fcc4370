// lib/kernels/fma.hpp — the one fused multiply-add every kernel uses.
//
//   fused_multiply_add<Arch>(x, y, z)         = x * y + z
//   fused_negated_multiply_add<Arch>(x, y, z) = z - x * y
//
// With a hardware FMA (AVX2+FMA3, AVX-512F) it is that instruction: one rounding, on every FMA
// ISA, under every compiler. Without one (SSE2) it is a multiply and an add: two roundings (SSE2
// results may therefore differ from the FMA ISAs; simdnn promises bitwise agreement only among
// the FMA ISAs, README "Reproducibility").
//
// Why not xsimd::fma: xsimd 8.1 has no fma for avx512f; its generic fallback is `x * y + z`
// through the batch operators, which is one instruction only when the compiler contracts across
// those inlined intrinsics (GCC 12 does by default, even with -std=c++20; clang 14 fuses only
// within one source expression, so not there) and two roundings otherwise. Every simdnn target is
// built with -ffp-contract=off (CMakeLists.txt), so no `a * b + c` anywhere is fused behind our
// back, and every fma a kernel relies on is written here, explicitly.
//
// Scalars: the same, through __builtin_fmaf, which is the vfmadd instruction in a file built
// with -mfma (the AVX2 and AVX-512 objects) and never a library call there.
#pragma once

#include <immintrin.h>

#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace simdnn::kernels {

// True where fused_multiply_add is one hardware instruction with one rounding. SSE2 has none.
template <class Arch>
inline constexpr bool has_hardware_fma = !std::is_same_v<Arch, xsimd::sse2>;

template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> fused_multiply_add(
    xsimd::batch<float, Arch> x, xsimd::batch<float, Arch> y,
    xsimd::batch<float, Arch> z) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    return fbatch(_mm512_fmadd_ps(x, y, z));
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    return fbatch(_mm256_fmadd_ps(x, y, z));
  } else {
    static_assert(!has_hardware_fma<Arch>, "an FMA ISA without its fma instruction here");
    return x * y + z;  // two roundings; -ffp-contract=off keeps it that way
  }
}

// z - x * y with one rounding (vfnmadd): the negated product without a separate negation, which
// xsimd 8.1 emulates on avx512f as 0 - x (a different result for +0 and for NaN's sign).
template <class Arch>
[[gnu::always_inline]] inline xsimd::batch<float, Arch> fused_negated_multiply_add(
    xsimd::batch<float, Arch> x, xsimd::batch<float, Arch> y,
    xsimd::batch<float, Arch> z) noexcept {
  using fbatch = xsimd::batch<float, Arch>;
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
    return fbatch(_mm512_fnmadd_ps(x, y, z));
  } else if constexpr (std::is_same_v<Arch, xsimd::fma3<xsimd::avx2>>) {
    return fbatch(_mm256_fnmadd_ps(x, y, z));
  } else {
    static_assert(!has_hardware_fma<Arch>, "an FMA ISA without its fnmadd instruction here");
    return z - x * y;
  }
}

template <class Arch>
[[gnu::always_inline]] inline float fused_multiply_add(float x, float y, float z) noexcept {
  if constexpr (has_hardware_fma<Arch>) {
    return __builtin_fmaf(x, y, z);
  } else {
    return x * y + z;
  }
}

}  // namespace simdnn::kernels
