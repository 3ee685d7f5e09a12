// SPDX-License-Identifier: MIT
// The embedded dashboard files: the table the build made from web/ and Debian's libjs-*
// files, their content types, ETags and 304s.
#include "web/assets.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigil::web {
namespace {

std::string Header(const api::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(AssetsTest, ContentTypesFollowTheExtension) {
  EXPECT_EQ(ContentTypeFor("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/icon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("/assets/icon.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("/assets/data.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("/assets/noextension"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("/assets/app.js.map"), "application/octet-stream");
}

TEST(AssetsTest, TheDashboardAndDebiansLibrariesAreEmbedded) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("/assets/app.js"), std::string_view::npos);
  ASSERT_NE(FindAsset("/login.html"), nullptr);
  ASSERT_NE(FindAsset("/assets/app.js"), nullptr);
  ASSERT_NE(FindAsset("/assets/app.css"), nullptr);
  EXPECT_EQ(FindAsset("/assets/app.css")->content_type, "text/css; charset=utf-8");

  const Asset* chart = FindAsset("/assets/vendor/chart.js");
  ASSERT_NE(chart, nullptr);
  EXPECT_EQ(chart->content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(chart->body.find("Chart.js v"), std::string_view::npos);
  const Asset* ansi = FindAsset("/assets/vendor/ansi_up.js");
  ASSERT_NE(ansi, nullptr);
  EXPECT_NE(ansi->body.find("AnsiUp"), std::string_view::npos);
}

TEST(AssetsTest, AnUnknownPathHasNoFile) {
  EXPECT_EQ(FindAsset("/assets/nope.js"), nullptr);
  EXPECT_EQ(FindAsset("/"), nullptr) << "the listener maps / to /index.html";
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_EQ(FindAsset("/assets/../index.html"), nullptr);
  EXPECT_EQ(FindAsset("/ASSETS/APP.JS"), nullptr);
}

TEST(AssetsTest, EveryFileHasItsOwnStrongQuotedEtag) {
  std::set<std::string_view> paths;
  std::set<std::string_view> etags;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const std::string_view etag = f.etag;
    EXPECT_TRUE(paths.insert(f.path).second) << f.path;
    ASSERT_GE(etag.size(), 3u) << f.path;
    EXPECT_EQ(etag.front(), '"');
    EXPECT_EQ(etag.back(), '"');
    etags.insert(etag);
    const Asset* asset = FindAsset(f.path);
    ASSERT_NE(asset, nullptr) << f.path;
    EXPECT_EQ(asset->body.size(), f.size);
  }
  // Files with the same bytes share an ETag; the dashboard has none such.
  EXPECT_EQ(etags.size(), paths.size());
}

TEST(AssetsTest, IfNoneMatchComparesWeakly) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches(" \"x\" ,W/\"abc\" ", "\"abc\""));
  EXPECT_TRUE(EtagMatches("*", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
  EXPECT_FALSE(EtagMatches(",", "\"abc\""));
}

TEST(AssetsTest, AGetAnswersTheBytesOrA304) {
  const Asset* app = FindAsset("/assets/app.js");
  ASSERT_NE(app, nullptr);
  api::Response r = AssetResponse(*app, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, app->body);
  EXPECT_EQ(Header(r, "ETag"), app->etag);
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");

  r = AssetResponse(*app, std::string(app->etag));
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Header(r, "ETag"), app->etag);

  r = AssetResponse(*app, "\"stale\"");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, app->body);
}

}  // namespace
}  // namespace vigil::web
