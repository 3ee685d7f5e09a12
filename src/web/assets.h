// SPDX-License-Identifier: MIT
// The dashboard's files (web/, and the browser libraries it uses from Debian's libjs-*
// packages), compiled into vigild by cmake/embed_assets.cmake: a table of URL path ->
// bytes and ETag, answered by the HTTP listener without credentials (docs/web.md,
// "Dashboard").
// Thread rule: immutable data; any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "api/router.h"

namespace vigil::web {

// One embedded file, as the generated table holds it.
struct EmbeddedFile {
  const char* path;  // the URL path: "/index.html", "/assets/app.js", "/assets/vendor/chart.js"
  const unsigned char* data;
  size_t size;
  const char* etag;  // a strong ETag, quoted: "\"3f2a...\"" (from the bytes' SHA-256)
};

struct Asset {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
  std::string_view etag;
};

// Every embedded file (defined in the generated web_assets_data.cc).
std::span<const EmbeddedFile> EmbeddedFiles();

// The Content-Type for a path, by its extension ("text/javascript; charset=utf-8" for .js);
// "application/octet-stream" for an unknown one.
std::string_view ContentTypeFor(std::string_view path);

// The file at the URL path `path` ("/assets/app.js"); nullptr when there is none.
const Asset* FindAsset(std::string_view path);

// Whether an If-None-Match header value ("\"a\", W/\"b\"", or "*") names `etag` (RFC 9110
// 13.1.2: the weak comparison).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// The answer to a GET of `asset`: 200 with its bytes, or 304 without them when
// `if_none_match` names its ETag. Browsers keep it and ask again each time
// (Cache-Control: no-cache), so a reload costs a 304 per file.
api::Response AssetResponse(const Asset& asset, std::string_view if_none_match);

}  // namespace vigil::web
