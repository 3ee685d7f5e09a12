// SPDX-License-Identifier: MIT
// Tests for the mapping of HTTP statuses and transport errors to exit codes.
#include "cli/exit_codes.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

TEST(ExitCodesTest, SuccessStatusesExitZero) {
  EXPECT_EQ(ExitCodeForHttpStatus(200), kExitOk);
  EXPECT_EQ(ExitCodeForHttpStatus(202), kExitOk);
}

TEST(ExitCodesTest, ApiErrorsExitOne) {
  for (int status : {400, 404, 405, 409, 500, 503}) {
    EXPECT_EQ(ExitCodeForHttpStatus(status), kExitFailed) << status;
  }
  // Statuses the API never sends are failures too, not success.
  EXPECT_EQ(ExitCodeForHttpStatus(101), kExitFailed);
  EXPECT_EQ(ExitCodeForHttpStatus(302), kExitFailed);
  EXPECT_EQ(ExitCodeForHttpStatus(0), kExitFailed);
}

TEST(ExitCodesTest, ConnectFailureIsUnreachable) {
  EXPECT_EQ(ExitCodeForClientStatus(base::Status::Unavailable("Connection refused")),
            kExitUnreachable);
  EXPECT_EQ(ExitCodeForClientStatus(base::Status::IoError("no reply")), kExitFailed);
  EXPECT_EQ(ExitCodeForClientStatus(base::Status::Ok()), kExitOk);
}

TEST(ExitCodesTest, CodesAreDistinct) {
  EXPECT_EQ(kExitOk, 0);
  EXPECT_EQ(kExitFailed, 1);
  EXPECT_EQ(kExitUsage, 2);
  EXPECT_EQ(kExitUnreachable, 3);
}

}  // namespace
}  // namespace vigil::cli
