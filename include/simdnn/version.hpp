// simdnn/version.hpp — the library's version, for code that must know which simdnn it was built
// against. CMakeLists.txt refuses to configure when these numbers differ from project(VERSION),
// so the two cannot drift apart. CHANGELOG.md says what changed between versions.
#pragma once

#define SIMDNN_VERSION_MAJOR 0
#define SIMDNN_VERSION_MINOR 3
#define SIMDNN_VERSION_PATCH 0

namespace simdnn {

inline constexpr int version_major = SIMDNN_VERSION_MAJOR;
inline constexpr int version_minor = SIMDNN_VERSION_MINOR;
inline constexpr int version_patch = SIMDNN_VERSION_PATCH;
inline constexpr const char* version_string = "0.3.0";

}  // namespace simdnn
