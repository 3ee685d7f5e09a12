// SPDX-License-Identifier: MIT
// Compressor and GzipFile: valid gzip output, atomic rename, keep, idle worker.
#include "logs/compressor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "logs/rotated_files.h"
#include "logs/test_util.h"

namespace vigil::logs {
namespace {

namespace fs = std::filesystem;
using testing::ReadGzip;
using testing::TempDir;
using testing::WriteFileForTest;

TEST(GzipFileTest, ProducesGzipOfTheWholeFile) {
  TempDir dir;
  std::string content = testing::NumberedLines(50000, 2);  // several MB, many zlib blocks
  WriteFileForTest(dir / "in", content);
  ASSERT_TRUE(GzipFile(dir / "in", dir / "in.gz").ok());
  EXPECT_EQ(ReadGzip(dir / "in.gz"), content);
  EXPECT_TRUE(fs::exists(dir / "in"));
  EXPECT_FALSE(fs::exists(dir / "in.gz.tmp"));
  EXPECT_LT(fs::file_size(dir / "in.gz"), content.size() / 3);
}

TEST(GzipFileTest, MissingSourceIsAnErrorAndLeavesNothing) {
  TempDir dir;
  base::Status s = GzipFile(dir / "nope", dir / "nope.gz");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("cannot open"));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(CompressorTest, CompressesReplacesAndReportsOnWorker) {
  TempDir dir;
  fs::path rotated = dir / "a.log.20260101T000000.000Z";
  WriteFileForTest(rotated, "hello\n");
  Compressor compressor;
  std::promise<base::Status> done;
  compressor.Enqueue({rotated, dir / "a.log", 5, [&](const base::Status& s) { done.set_value(s); }});
  base::Status s = done.get_future().get();
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_FALSE(fs::exists(rotated));
  EXPECT_EQ(ReadGzip(rotated.string() + ".gz"), "hello\n");
}

TEST(CompressorTest, FileBeyondKeepIsDeletedNotCompressed) {
  TempDir dir;
  for (const char* name : {"a.log.20260101T000000.000Z", "a.log.20260102T000000.000Z",
                           "a.log.20260103T000000.000Z"}) {
    WriteFileForTest(dir / name, "x\n");
  }
  Compressor compressor;
  compressor.Enqueue({dir / "a.log.20260101T000000.000Z", dir / "a.log", 2, nullptr});
  compressor.Enqueue({dir / "a.log.20260103T000000.000Z", dir / "a.log", 2, nullptr});
  compressor.WaitIdle();
  auto files = RotatedFiles(dir / "a.log");
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ(files->at(0).path.filename(), "a.log.20260102T000000.000Z");
  EXPECT_EQ(files->at(1).path.filename(), "a.log.20260103T000000.000Z.gz");
  EXPECT_FALSE(fs::exists(dir / "a.log.20260101T000000.000Z.gz"));
}

TEST(CompressorTest, IdleCompressorStartsNoThreadAndDestroysCleanly) {
  Compressor compressor;
  compressor.WaitIdle();
}

}  // namespace
}  // namespace vigil::logs
