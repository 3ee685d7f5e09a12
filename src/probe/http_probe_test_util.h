// SPDX-License-Identifier: MIT
// Helpers of the HTTP and HTTPS probe tests: a threaded server and a fixture that probes once.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "base/unique_fd.h"
#include "event/loop.h"
#include "probe/http_probe.h"
#include "probe/tcp_probe_test_util.h"

namespace vigil::probe::testing {

// A count that a server thread adds to and the loop thread reads, so that a test can wait
// for it with RunUntil. Adding posts to the loop (Post is safe from any thread); the count
// is shared with those posts, which may run after its owner is gone.
class LoopCounter {
 public:
  explicit LoopCounter(event::Loop& loop) : loop_(loop) {}
  void Add() {
    loop_.Post([count = count_] { ++*count; });
  }
  int value() const { return *count_; }

 private:
  event::Loop& loop_;
  std::shared_ptr<int> count_ = std::make_shared<int>(0);
};

// Listens on `address` and serves one connection at a time on a thread of its own: hands
// each to `handle`, then reads until the client leaves and counts it gone. The thread starts
// in the constructor and is joined in the destructor, so a server that owns one declares it
// as its last member: `handle` then never runs on an owner half built or half destroyed.
class ThreadedServer {
 public:
  // Called on the server's thread with a blocking socket that times out after 10 s.
  using HandleFn = std::function<void(int fd)>;

  ThreadedServer(event::Loop& loop, const char* address, HandleFn handle)
      : handle_(std::move(handle)), clients_gone_(loop) {
    std::optional<Listener> listener = Listen(address);
    if (!listener) return;
    listener_ = std::move(*listener);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ThreadedServer() {
    stopping_ = true;
    // shutdown(2) on a listening socket wakes a blocked accept(2); on a connection, a
    // blocked recv(2).
    ::shutdown(listener_.fd.get(), SHUT_RDWR);
    int connection = connection_.load();
    if (connection >= 0) ::shutdown(connection, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
  }
  ThreadedServer(const ThreadedServer&) = delete;
  ThreadedServer& operator=(const ThreadedServer&) = delete;

  // False if `address` cannot be bound (a machine without IPv6).
  bool listening() const { return listener_.fd.valid(); }
  uint16_t port() const { return listener_.port; }
  int clients_gone() const { return clients_gone_.value(); }

 private:
  void Serve() {
    while (!stopping_) {
      int fd = ::accept4(listener_.fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;  // shut down
      base::UniqueFd connection(fd);
      connection_ = fd;
      // A test that went wrong must not hang at join.
      timeval timeout{10, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      handle_(fd);
      // Reads until the client closes, so that close(2) with unread data (which would
      // send a reset instead of a FIN) never happens, and so the test can see the client
      // leave.
      char buffer[4096];
      while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
      }
      connection_ = -1;
      clients_gone_.Add();
    }
  }

  const HandleFn handle_;
  LoopCounter clients_gone_;
  Listener listener_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connection_{-1};
};

// A fixture with an HttpProber on a real loop.
class HttpProberFixture : public ::testing::Test {
 protected:
  // Probes `spec` and runs the loop until the outcome; checks that done is called once
  // and never from inside Probe().
  Outcome ProbeOnce(const HttpProbeSpec& spec) {
    Outcomes outcomes;
    auto handle = prober_.Probe(spec, outcomes.Fn());
    EXPECT_FALSE(outcomes.any()) << "done was called from inside Probe()";
    EXPECT_TRUE(RunUntil(loop_, [&] { return outcomes.any(); }));
    loop_.Poll();
    EXPECT_EQ(outcomes.seen.size(), 1u);
    return outcomes.seen.empty() ? Outcome{} : outcomes.seen[0];
  }

  // Probes `spec` and cancels the probe: at once, or once `cancel_when()` holds. Then waits
  // for `closed()` (the server seeing the probe's socket close) if given, and checks that
  // nothing answers within `quiet` of loop time, which a test makes longer than the probe's
  // timeout.
  void CancelAndExpectNoAnswer(const HttpProbeSpec& spec, base::Duration quiet,
                               const std::function<bool()>& cancel_when = nullptr,
                               const std::function<bool()>& closed = nullptr) {
    Outcomes outcomes;
    auto handle = prober_.Probe(spec, outcomes.Fn());
    if (cancel_when) {
      ASSERT_TRUE(RunUntil(loop_, cancel_when));
    }
    handle.reset();
    if (closed) {
      ASSERT_TRUE(RunUntil(loop_, closed));
    }
    RunFor(loop_, quiet);
    EXPECT_FALSE(outcomes.any());
  }

  event::Loop loop_;
  HttpProber prober_{loop_};
};

}  // namespace vigil::probe::testing
