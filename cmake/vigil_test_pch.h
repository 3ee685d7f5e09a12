// Precompiled header of the test binaries (CMakeLists.txt, "Precompiled headers"): the
// libraries' one plus GoogleTest. Build time only: every test source still includes what
// it uses itself.
#include "vigil_pch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
