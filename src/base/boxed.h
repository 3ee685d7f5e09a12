// SPDX-License-Identifier: MIT
// base::Boxed<T>: a value of T kept out of line and allocated only when first written, for
// the part of a struct that most of its instances leave at the default: the fields of a
// check's probe, which a thousand metric checks never use, would otherwise cost each of
// them hundreds of bytes. Copies are deep and comparison is by value (an empty box equals
// a default T); reading an empty box reads one shared default T.
// Thread rule: as T's.
#pragma once

#include <memory>

namespace vigil::base {

template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;

  // Reading never allocates: an empty box answers with the shared default.
  const T& operator*() const { return value_ ? *value_ : Default(); }
  const T* operator->() const { return &**this; }
  // Writing allocates the value the first time.
  T& Mut() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }
  bool allocated() const { return value_ != nullptr; }
  // Back to the default, giving the memory back.
  void Reset() { value_.reset(); }

  bool operator==(const Boxed& other) const { return **this == *other; }

 private:
  static const T& Default() {
    static const T kDefault{};
    return kDefault;
  }
  std::unique_ptr<T> value_;
};

}  // namespace vigil::base
