// SPDX-License-Identifier: MIT
// The CLI's own version string, printed by `vigil version` and sent as User-Agent.
#pragma once

namespace vigil::cli {

// The top-level CMakeLists.txt defines VIGIL_VERSION from project(VERSION); the literal
// keeps a build of these files outside CMake (an IDE indexer, a quick g++ run) working.
#ifdef VIGIL_VERSION
inline constexpr const char kVersion[] = VIGIL_VERSION;
#else
inline constexpr const char kVersion[] = "0.1.0";
#endif

}  // namespace vigil::cli
