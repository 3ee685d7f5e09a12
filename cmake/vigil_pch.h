// Precompiled header of the vigil_* libraries (CMakeLists.txt, "Precompiled headers").
// Build time only: it is compiled once per build and force-included ahead of every library
// source, which still includes what it uses itself. Only headers whose content none of the
// modules' compile definitions change belong here: not Asio, toml++, date or SQLite.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
