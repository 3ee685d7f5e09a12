// SPDX-License-Identifier: MIT
// ServerContext: a certificate and its key loaded (OpenSSL through the lazy loader), and
// each mistake as one error naming the key and the file.
#include "tls/server_context.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::tls {
namespace {

const std::string kData = VIGIL_TLS_TESTDATA;

TEST(ServerContextTest, LoadsACertificateAndItsKey) {
  auto context = ServerContext::Load(kData + "/cert.pem", kData + "/key.pem");
  ASSERT_TRUE(context.has_value()) << context.error().message();
  EXPECT_EQ((*context)->summary(), "CN=vigil.test, valid until 2126-11-08 15:36:21 UTC");
  EXPECT_FALSE((*context)->expired());
}

TEST(ServerContextTest, AnExpiredCertificateLoadsAndSaysSo) {
  auto context = ServerContext::Load(kData + "/expired_cert.pem", kData + "/key.pem");
  ASSERT_TRUE(context.has_value()) << context.error().message();
  EXPECT_TRUE((*context)->expired());
  EXPECT_EQ((*context)->summary(), "CN=expired.test, EXPIRED on 2026-12-01 15:36:24 UTC");
}

TEST(ServerContextTest, MistakesNameTheKeyAndTheFile) {
  auto missing = ServerContext::Load(kData + "/none.pem", kData + "/key.pem");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "tls_cert " + kData + "/none.pem: cannot read: No such file or directory");

  auto directory = ServerContext::Load(kData, kData + "/key.pem");
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().message(), "tls_cert " + kData + ": not a file");

  // A key where the certificate should be.
  auto not_pem = ServerContext::Load(kData + "/key.pem", kData + "/key.pem");
  ASSERT_FALSE(not_pem.has_value());
  EXPECT_EQ(not_pem.error().message().rfind("tls_cert " + kData + "/key.pem: not a PEM certificate (", 0), 0u)
      << not_pem.error().message();

  auto other_key = ServerContext::Load(kData + "/cert.pem", kData + "/other_key.pem");
  ASSERT_FALSE(other_key.has_value());
  EXPECT_EQ(other_key.error().message().rfind("tls_key " + kData + "/other_key.pem: not a PEM private key, or not "
                                              "the key of the certificate in tls_cert " + kData + "/cert.pem (", 0),
            0u)
      << other_key.error().message();
}

}  // namespace
}  // namespace vigil::tls
