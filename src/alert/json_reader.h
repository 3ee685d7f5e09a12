// SPDX-License-Identifier: MIT
// ObjectReader: typed reads of a JSON object's fields for the request vigild sends to
// vigil-alert, with messages that name the field ("email.port must be an integer").
// Never throws: it checks every type before nlohmann's accessors see it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::alert {

// Reads fields one by one and keeps the first error; Finish() reports it, or else the
// first field that was never asked for (a typo or a newer sender). Not thread-safe; lives
// for one parse.
class ObjectReader {
 public:
  enum class Need { kRequired, kOptional };

  // `where` names the object in messages: "notification", "email"; "" for the top level.
  ObjectReader(const nlohmann::json& value, std::string where);

  // Each leaves *out as it was when the field is optional and absent, or on an error.
  void String(std::string_view key, std::string* out, Need need = Need::kRequired);
  void Int(std::string_view key, int64_t* out, Need need = Need::kRequired);
  void Bool(std::string_view key, bool* out, Need need = Need::kRequired);
  void StringList(std::string_view key, std::vector<std::string>* out, Need need = Need::kRequired);
  void StringMap(std::string_view key, std::map<std::string, std::string>* out, Need need = Need::kRequired);
  // The field's value if it is present and an object, for a nested reader; else records
  // the error (when required) and returns nullptr.
  const nlohmann::json* Object(std::string_view key, Need need = Need::kRequired);

  // Records an error about `key` found by the caller ("must be one of ...").
  void Fail(std::string_view key, std::string_view problem);
  bool ok() const { return status_.ok(); }
  base::Status Finish();

 private:
  // The field, or nullptr when absent (an error if required) or after an earlier error.
  const nlohmann::json* Find(std::string_view key, Need need);
  std::string Name(std::string_view key) const;

  const nlohmann::json& value_;
  std::string where_;
  std::set<std::string, std::less<>> seen_;
  base::Status status_;
};

}  // namespace vigil::alert
