// SPDX-License-Identifier: MIT
// toml++'s implementation, compiled once into vigil from the Debian package's headers
// (every other file includes them with TOML_HEADER_ONLY=0), so vigild does not load the
// shared libtomlplusplus and with it a shared libstdc++ (see CMakeLists.txt).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
