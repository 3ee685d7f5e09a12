// SPDX-License-Identifier: MIT
// Typed, non-throwing reads of JSON object fields.
#include "alert/json_reader.h"

namespace vigil::alert {

using nlohmann::json;

ObjectReader::ObjectReader(const json& value, std::string where) : value_(value), where_(std::move(where)) {
  if (!value_.is_object()) {
    status_ = base::Status::InvalidArgument((where_.empty() ? std::string("the request") : where_) +
                                            " must be a JSON object");
  }
}

std::string ObjectReader::Name(std::string_view key) const {
  return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
}

void ObjectReader::Fail(std::string_view key, std::string_view problem) {
  if (status_.ok()) status_ = base::Status::InvalidArgument(Name(key) + " " + std::string(problem));
}

const json* ObjectReader::Find(std::string_view key, Need need) {
  if (!status_.ok()) return nullptr;
  seen_.emplace(key);
  auto it = value_.find(key);
  if (it == value_.end()) {
    if (need == Need::kRequired) status_ = base::Status::InvalidArgument("missing field " + Name(key));
    return nullptr;
  }
  return &*it;
}

void ObjectReader::String(std::string_view key, std::string* out, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return;
  if (!v->is_string()) return Fail(key, "must be a string");
  *out = v->get_ref<const std::string&>();
}

void ObjectReader::Int(std::string_view key, int64_t* out, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return;
  if (v->is_number_unsigned()) {
    // Above INT64_MAX, nlohmann keeps it unsigned.
    if (v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Fail(key, "is too large");
    *out = static_cast<int64_t>(v->get<uint64_t>());
    return;
  }
  if (!v->is_number_integer()) return Fail(key, "must be an integer");
  *out = v->get<int64_t>();
}

void ObjectReader::Bool(std::string_view key, bool* out, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return;
  if (!v->is_boolean()) return Fail(key, "must be true or false");
  *out = v->get<bool>();
}

void ObjectReader::StringList(std::string_view key, std::vector<std::string>* out, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return;
  if (!v->is_array()) return Fail(key, "must be an array of strings");
  std::vector<std::string> items;
  for (const json& item : *v) {
    if (!item.is_string()) return Fail(key, "must be an array of strings");
    items.push_back(item.get<std::string>());
  }
  *out = std::move(items);
}

void ObjectReader::StringMap(std::string_view key, std::map<std::string, std::string>* out, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return;
  if (!v->is_object()) return Fail(key, "must be an object of strings");
  std::map<std::string, std::string> items;
  for (const auto& [name, item] : v->items()) {
    if (!item.is_string()) return Fail(key, "must be an object of strings");
    items.emplace(name, item.get<std::string>());
  }
  *out = std::move(items);
}

const json* ObjectReader::Object(std::string_view key, Need need) {
  const json* v = Find(key, need);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(key, "must be a JSON object");
    return nullptr;
  }
  return v;
}

base::Status ObjectReader::Finish() {
  if (!status_.ok()) return status_;
  for (const auto& [key, unused] : value_.items()) {
    // Rejecting a typo beats silently using a default.
    if (!seen_.contains(key)) return base::Status::InvalidArgument("unknown field " + Name(key));
  }
  return base::Status::Ok();
}

}  // namespace vigil::alert
