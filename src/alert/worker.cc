// SPDX-License-Identifier: MIT
// vigil-alert --worker: requests in on stdin, deliveries on one libcurl multi handle
// (after libcurl's multi-poll.c example), results out on stdout.
#include "alert/worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>

#include "alert/deliver_curl.h"
#include "alert/email_message.h"
#include "alert/mime.h"
#include "alert/request.h"
#include "alert/worker_protocol.h"
#include "base/file_util.h"

namespace vigil::alert {
namespace {

// A request file is a few KB (a report, more); as in the one-shot mode, 1 MB at most.
constexpr uint64_t kMaxRequestBytes = 1024 * 1024;
// A request line is a number and a path.
constexpr size_t kMaxLineBytes = 64 * 1024;
// With nothing under way the worker sleeps until its input says something; libcurl
// shortens the wait whenever a transfer needs it.
constexpr int kIdleWaitMs = 24 * 3600 * 1000;

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};

// The request in `file`, set up as a transfer; a malformed request or a settings or
// secret-file problem is the delivery's failure, said as the one-shot mode says it.
base::Result<std::unique_ptr<Transfer>> Prepare(const std::string& file) {
  auto text = base::ReadRegularFile(file, kMaxRequestBytes, "a request");
  if (!text) return base::Status::InvalidArgument("malformed request: " + text.error().message());
  auto request = ParseDeliveryRequest(*text);
  if (!request) return base::Status::InvalidArgument("malformed request: " + request.error().message());
  if (request->channel == Channel::kEmail) {
    std::string domain(AddressDomain(request->email.from));
    return Transfer::Email(request->email, EmailMessage(request->notification, request->email, domain));
  }
  return Transfer::Webhook(request->webhook, WebhookBody(request->notification));
}

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

int RunWorker(int in_fd, int out_fd) {
  if (base::Status s = InitCurl(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!multi) {
    std::fprintf(stderr, "cannot create a libcurl multi handle\n");
    return 1;
  }
  // Reads must never block: the loop below waits in curl_multi_poll, for input and
  // transfers alike.
  if (const int flags = ::fcntl(in_fd, F_GETFL); flags < 0 || ::fcntl(in_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    std::perror("fcntl");
    return 1;
  }
  struct Job {
    uint64_t seq;
    std::unique_ptr<Transfer> transfer;
  };
  std::map<CURL*, Job> jobs;
  std::string input;
  bool eof = false;
  for (;;) {
    // Invariant: every complete line read so far has become a job or a result.
    while (!eof) {
      char chunk[16384];
      const ssize_t n = ::read(in_fd, chunk, sizeof chunk);
      if (n > 0) {
        input.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      eof = true;  // the end, or an error no retry fixes: vigild is done with us
    }
    size_t end;
    while ((end = input.find('\n')) != std::string::npos) {
      const std::string line = input.substr(0, end);
      input.erase(0, end + 1);
      auto request = ParseWorkerRequest(line);
      if (!request) {
        std::fprintf(stderr, "malformed worker request: %s\n", request.error().message().c_str());
        return 2;
      }
      auto transfer = Prepare(request->file);
      if (transfer && curl_multi_add_handle(multi.get(), (*transfer)->handle()) != CURLM_OK) {
        transfer = base::Status::Internal("cannot add a transfer to the libcurl multi handle");
      }
      if (!transfer) {
        if (!WriteAll(out_fd, WorkerResultLine({request->seq, false, transfer.error().message()}))) return 1;
        continue;
      }
      CURL* handle = (*transfer)->handle();
      jobs.emplace(handle, Job{request->seq, std::move(*transfer)});
    }
    if (input.size() > kMaxLineBytes) {
      std::fprintf(stderr, "malformed worker request: a line longer than %zu bytes\n", kMaxLineBytes);
      return 2;
    }
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      // The message is gone once its handle is removed: copy what it says first.
      CURL* handle = message->easy_handle;
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi.get(), handle);
      auto it = jobs.find(handle);
      if (it == jobs.end()) continue;
      const base::Status sent = it->second.transfer->Outcome(code);
      const WorkerResult result{it->second.seq, sent.ok(), sent.ok() ? "" : sent.message()};
      jobs.erase(it);  // the connection stays in the multi handle's cache for the next one
      if (!WriteAll(out_fd, WorkerResultLine(result))) return 1;
    }
    if (eof && jobs.empty()) return 0;
    curl_waitfd wait{in_fd, CURL_WAIT_POLLIN, 0};
    // POLLHUP of a closed input is not passed on in wait.revents: the read above, tried
    // after every wake-up, finds the end instead.
    curl_multi_poll(multi.get(), eof ? nullptr : &wait, eof ? 0 : 1, kIdleWaitMs, nullptr);
  }
}

}  // namespace vigil::alert
