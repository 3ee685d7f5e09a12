// SPDX-License-Identifier: MIT
// TailLines: partial last lines, rotated and gzipped files, lines cut by rotation.
#include "logs/tail.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "logs/compressor.h"
#include "logs/log_file.h"
#include "logs/test_util.h"

namespace vigil::logs {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testing::TempDir;
using testing::WriteFileForTest;

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> Last(const std::vector<std::string>& v, size_t n) {
  return {v.end() - static_cast<long>(std::min(n, v.size())), v.end()};
}

TEST(TailLinesTest, CurrentFileOnly) {
  TempDir dir;
  WriteFileForTest(dir / "a.log", "one\ntwo\nthree\n");
  EXPECT_THAT(*TailLines(dir / "a.log", 2), ElementsAre("two", "three"));
  EXPECT_THAT(*TailLines(dir / "a.log", 10), ElementsAre("one", "two", "three"));
  EXPECT_TRUE(TailLines(dir / "a.log", 0)->empty());
}

TEST(TailLinesTest, PartialLastLineCounts) {
  TempDir dir;
  WriteFileForTest(dir / "a.log", "one\ntwo\nthr");
  EXPECT_THAT(*TailLines(dir / "a.log", 2), ElementsAre("two", "thr"));
}

TEST(TailLinesTest, EmptyLinesAreLines) {
  TempDir dir;
  WriteFileForTest(dir / "a.log", "a\n\n\nb\n");
  EXPECT_THAT(*TailLines(dir / "a.log", 3), ElementsAre("", "", "b"));
}

TEST(TailLinesTest, NoFilesNoLines) {
  TempDir dir;
  auto lines = TailLines(dir / "a.log", 5);
  ASSERT_TRUE(lines.has_value());
  EXPECT_TRUE(lines->empty());
}

TEST(TailLinesTest, HugeCurrentFileReadsOnlyTheEnd) {
  TempDir dir;
  std::string content = testing::NumberedLines(200000, 3);
  WriteFileForTest(dir / "a.log", content);
  EXPECT_EQ(*TailLines(dir / "a.log", 1000), Last(Split(content), 1000));
}

TEST(TailLinesTest, AcrossRotatedAndGzippedFiles) {
  TempDir dir;
  event::Loop loop;
  Compressor compressor;
  const std::string input = testing::NumberedLines(3000, 6, 80);
  config::LogSpec spec;
  spec.max_bytes = 4000;
  spec.keep = 1000;
  {
    // The first half is compressed, the second half left plain.
    LogFile log(loop, dir / "a.log", spec, nullptr);
    log.Write(std::string_view(input).substr(0, input.size() / 2));
  }
  spec.compress = true;
  {
    LogFile log(loop, dir / "a.log", spec, &compressor);
    compressor.WaitIdle();
    spec.compress = false;
    log.SetSpec(spec);
    log.Write(std::string_view(input).substr(input.size() / 2));
  }
  auto files = RotatedFiles(dir / "a.log");
  ASSERT_TRUE(files->front().gzipped);
  ASSERT_FALSE(files->back().gzipped);
  auto all = Split(input);
  for (size_t n : {1u, 10u, 100u, 1000u, 2999u, 3000u, 5000u}) {
    auto got = TailLines(dir / "a.log", n);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(*got, Last(all, n)) << n;
  }
}

TEST(TailLinesTest, LargeGzipFileKeepsOnlyWhatIsNeeded) {
  TempDir dir;
  std::string content = testing::NumberedLines(30000, 4);  // ~3 MB: trimmed while read
  gzFile gz = gzopen((dir / "a.log.20260101T000000.000Z.gz").c_str(), "wb");
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  auto all = Split(content);
  for (size_t n : {1u, 7u, 5000u, 30000u}) EXPECT_EQ(*TailLines(dir / "a.log", n), Last(all, n)) << n;
}

TEST(TailLinesTest, LineCutByRotationComesBackWhole) {
  TempDir dir;
  std::string big(5000, 'q');
  WriteFileForTest(dir / "a.log.20260101T000000.000Z", "first\n" + big.substr(0, 100));
  WriteFileForTest(dir / "a.log.20260102T000000.000Z.gz", "");
  gzFile gz = gzopen((dir / "a.log.20260102T000000.000Z.gz").c_str(), "wb");
  gzwrite(gz, big.data() + 100, 4900);
  gzclose(gz);
  WriteFileForTest(dir / "a.log", "\nlast");
  EXPECT_THAT(*TailLines(dir / "a.log", 2), ElementsAre(big, "last"));
  EXPECT_THAT(*TailLines(dir / "a.log", 3), ElementsAre("first", big, "last"));
}

}  // namespace
}  // namespace vigil::logs
