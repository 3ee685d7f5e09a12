// SPDX-License-Identifier: MIT
// Hiding secrets in TOML text: toml++ finds the values and where they are written; the text
// around them is kept byte for byte.
#include "config/hide_secrets.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "config/toml_reader.h"

namespace vigil::config {
namespace {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Byte offsets of toml++'s positions (1-based lines, and columns that count code points).
class Positions {
 public:
  explicit Positions(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  // npos for a position outside the text.
  size_t Offset(const toml::source_position& p) const {
    if (p.line < 1 || p.line > line_starts_.size() || p.column < 1) return std::string_view::npos;
    size_t at = line_starts_[p.line - 1];
    for (toml::source_index column = 1; column < p.column; ++column) {
      if (at >= text_.size()) return std::string_view::npos;
      ++at;
      while (at < text_.size() && (static_cast<unsigned char>(text_[at]) & 0xC0) == 0x80) ++at;  // UTF-8 continuation
    }
    return at;
  }

 private:
  std::string_view text_;
  std::vector<size_t> line_starts_;
};

// Every value (not table or array) under `node`, when `secret` or under a secret key.
void CollectSecrets(const toml::node& node, bool secret, std::vector<const toml::node*>* out) {
  if (const toml::table* table = node.as_table()) {
    for (const auto& [key, value] : *table) CollectSecrets(value, secret || IsSecretKey(key.str()), out);
    return;
  }
  if (const toml::array* array = node.as_array()) {
    for (const toml::node& element : *array) CollectSecrets(element, secret, out);
    return;
  }
  if (secret) out->push_back(&node);
}

bool Contains(std::string_view lower, std::string_view word) { return lower.find(word) != std::string_view::npos; }

}  // namespace

bool IsSecretKey(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "environment" || lower == "env" || Contains(lower, "password") || Contains(lower, "secret") ||
         Contains(lower, "token") || Contains(lower, "key");
}

base::Result<std::string> HideSecrets(std::string_view text, const std::string& file) {
  const ErrorContext errors(file);
  auto root = ParseTomlText(text, errors);
  if (!root) return root.error();
  std::vector<const toml::node*> secrets;
  CollectSecrets(*root, false, &secrets);

  const Positions positions(text);
  std::vector<Span> spans;
  for (const toml::node* node : secrets) {
    const Span span{positions.Offset(node->source().begin), positions.Offset(node->source().end)};
    // A secret shown because its place was not understood would be the one failure that
    // matters here: refuse instead.
    if (span.begin == std::string_view::npos || span.end == std::string_view::npos || span.begin >= span.end) {
      return base::Status::Internal(
          errors.Error(static_cast<int>(node->source().begin.line), "cannot tell where a value ends").message());
    }
    spans.push_back(span);
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin > b.begin; });
  std::string out(text);
  for (const Span& span : spans) out.replace(span.begin, span.end - span.begin, kHiddenValue);
  return out;
}

}  // namespace vigil::config
