// SPDX-License-Identifier: MIT
// A line scanner for TOML (https://toml.io/en/v1.0.0): it follows strings, multi-line
// strings, arrays and comments only as far as needed to know where a line starts.
#include "config/toml_lines.h"

#include <cstdint>
#include <optional>

namespace vigil::config {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool IsBareKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The one-character escapes of a basic string, \b \t \n \f \r \" \\, and what they stand for.
constexpr std::string_view kEscapes = "btnfr\"\\";
constexpr std::string_view kEscaped = "\b\t\n\f\r\"\\";

int HexValue(char h) {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'a' && h <= 'f') return h - 'a' + 10;
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads a header's key segments from `s` at *pos; nullopt when it is not a valid key.
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view s) : s_(s) {}

  // "[a.b]" or "[[a.b]]", then only blanks or a comment.
  bool Read(std::vector<std::string>* key, bool* array) {
    SkipSpace();
    if (!Eat('[')) return false;
    *array = Eat('[');
    while (true) {
      SkipSpace();
      std::optional<std::string> segment = Segment();
      if (!segment) return false;
      key->push_back(std::move(*segment));
      SkipSpace();
      if (!Eat('.')) break;
    }
    if (!Eat(']') || (*array && !Eat(']'))) return false;
    SkipSpace();
    return pos_ == s_.size() || s_[pos_] == '#';
  }

 private:
  std::optional<std::string> Segment() {
    if (Eat('\'')) {
      const size_t close = s_.find('\'', pos_);
      if (close == std::string_view::npos) return std::nullopt;
      std::string out(s_.substr(pos_, close - pos_));
      pos_ = close + 1;
      return out;
    }
    if (Eat('"')) return BasicString();
    const size_t start = pos_;
    while (pos_ < s_.size() && IsBareKeyChar(s_[pos_])) ++pos_;
    if (pos_ == start) return std::nullopt;
    return std::string(s_.substr(start, pos_ - start));
  }

  // After the opening quote, through the closing one.
  std::optional<std::string> BasicString() {
    std::string out;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ == s_.size()) return std::nullopt;
      const char e = s_[pos_++];
      if (const size_t k = kEscapes.find(e); k != std::string_view::npos) {
        out.push_back(kEscaped[k]);
        continue;
      }
      if (e != 'u' && e != 'U') return std::nullopt;
      const size_t digits = e == 'u' ? 4 : 8;
      if (s_.size() - pos_ < digits) return std::nullopt;
      uint32_t cp = 0;
      for (size_t i = 0; i < digits; ++i) {
        const int v = HexValue(s_[pos_++]);
        if (v < 0) return std::nullopt;
        cp = cp * 16 + static_cast<uint32_t>(v);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
      AppendUtf8(cp, &out);
    }
    return std::nullopt;
  }

  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// What the text before a line leaves open: a multi-line string, or brackets (arrays, and
// inline tables, which TOML 1.0 keeps on one line but a broken one may not close).
struct Open {
  enum class String { kNone, kBasic, kLiteral } string = String::kNone;
  int depth = 0;
};

// The length of the run of `quote` at `i` (a multi-line string closes with the last three
// of up to five).
size_t RunOf(std::string_view s, size_t i, char quote) {
  size_t n = 0;
  while (i + n < s.size() && s[i + n] == quote) ++n;
  return n;
}

// Follows one line's strings, brackets and comment, from the state `open` the lines before
// left, to the state it leaves.
void Follow(std::string_view line, Open* open) {
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (open->string == Open::String::kBasic) {
      if (c == '\\') {
        i += 2;  // the escaped character, whatever it is (a line-ending backslash included)
      } else if (c == '"' && RunOf(line, i, '"') >= 3) {
        i += RunOf(line, i, '"');
        open->string = Open::String::kNone;
      } else {
        ++i;
      }
      continue;
    }
    if (open->string == Open::String::kLiteral) {
      if (c == '\'' && RunOf(line, i, '\'') >= 3) {
        i += RunOf(line, i, '\'');
        open->string = Open::String::kNone;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '#') return;  // a comment, to the end of the line
    if (c == '"' || c == '\'') {
      if (RunOf(line, i, c) >= 3) {
        open->string = c == '"' ? Open::String::kBasic : Open::String::kLiteral;
        i += 3;
        continue;
      }
      // A one-line string: to its closing quote, or to the end of a broken line.
      ++i;
      while (i < line.size() && line[i] != c) i += (c == '"' && line[i] == '\\') ? 2 : 1;
      ++i;
      continue;
    }
    if (c == '[' || c == '{') ++open->depth;
    if ((c == ']' || c == '}') && open->depth > 0) --open->depth;
    ++i;
  }
}

}  // namespace

std::vector<TomlLine> SplitTomlLines(std::string_view text) {
  std::vector<TomlLine> lines;
  Open open;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t newline = text.find('\n', begin);
    const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    std::string_view content = text.substr(begin, end - begin);
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);

    TomlLine line;
    line.begin = begin;
    line.end = end;
    if (open.string == Open::String::kNone && open.depth == 0) {
      size_t first = 0;
      while (first < content.size() && IsSpace(content[first])) ++first;
      if (first == content.size()) {
        line.kind = TomlLine::Kind::kBlank;
      } else if (content[first] == '#') {
        line.kind = TomlLine::Kind::kComment;
      } else if (content[first] == '[') {
        // A header never opens a string or an array that goes on to the next line.
        line.kind = TomlLine::Kind::kHeader;
        if (!HeaderReader(content).Read(&line.key, &line.array)) line.key.clear();
      }
    }
    if (line.kind == TomlLine::Kind::kOther) Follow(content, &open);
    lines.push_back(std::move(line));
    begin = end;
  }
  return lines;
}

}  // namespace vigil::config
