// SPDX-License-Identifier: MIT
// vigil-alert: delivers one notification by email or webhook and exits: it reads one
// DeliveryRequest (JSON) on its stdin. Exit status: 0 delivered; 1 not delivered, with one
// line on stderr saying why; 2 a malformed request or usage. With --worker it stays and
// serves request after request (alert/worker.h): that is how vigild runs it, so that its
// loop never waits on a mail server and vigild never links libcurl. See docs/alerts.md.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "alert/deliver_curl.h"
#include "alert/email_message.h"
#include "alert/notification.h"
#include "alert/request.h"
#include "alert/worker.h"

namespace {

constexpr int kExitDelivered = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadRequest = 2;
// A request is a few KB; a megabyte means something else is on stdin.
constexpr size_t kMaxRequestBytes = 1024 * 1024;

constexpr char kUsage[] =
    "usage: vigil-alert < request.json\n"
    "       vigil-alert --worker\n"
    "Delivers one notification by email or webhook, as described by the JSON request on\n"
    "stdin (docs/alerts.md). Exit status: 0 delivered, 1 not delivered (the reason on\n"
    "stderr), 2 malformed request. With --worker, reads request lines on stdin and\n"
    "writes a result line for each on stdout until stdin ends (vigild runs it so).\n";

// One line on stderr: what vigild keeps as the reason.
int Fail(int exit_code, const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  return exit_code;
}

bool ReadStdin(std::string* out) {
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buffer, static_cast<size_t>(n));
    if (out->size() > kMaxRequestBytes) return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil::alert;
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::fputs(kUsage, stdout);
    return kExitDelivered;
  }
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("vigil-alert %s\n", VIGIL_VERSION);
    return kExitDelivered;
  }
  const bool worker = argc == 2 && std::strcmp(argv[1], "--worker") == 0;
  if (argc != 1 && !worker) {
    std::fputs(kUsage, stderr);
    return kExitBadRequest;
  }
  // A server that closes the connection mid-write must give an error, not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  if (worker) return RunWorker(STDIN_FILENO, STDOUT_FILENO);

  std::string input;
  if (!ReadStdin(&input)) return Fail(kExitBadRequest, "malformed request: cannot read stdin, or more than 1 MB");
  auto request = ParseDeliveryRequest(input);
  if (!request) return Fail(kExitBadRequest, "malformed request: " + request.error().message());

  if (vigil::base::Status s = InitCurl(); !s.ok()) return Fail(kExitFailed, s.message());
  vigil::base::Status sent;
  if (request->channel == Channel::kEmail) {
    std::string domain(AddressDomain(request->email.from));
    sent = SendEmail(request->email, EmailMessage(request->notification, request->email, domain));
  } else {
    sent = SendWebhook(request->webhook, WebhookBody(request->notification));
  }
  if (!sent.ok()) return Fail(kExitFailed, sent.message());
  return kExitDelivered;
}
