// SPDX-License-Identifier: MIT
// process::NotifySocket: the one NOTIFY_SOCKET of vigild, where the programs' processes send
// systemd-style notifications (sd_notify(3): READY=1, STATUS=..., WATCHDOG=1...). It receives
// and parses datagrams and says who sent each one, as the kernel vouches (SCM_CREDENTIALS);
// which Program a sender belongs to, and whether it may speak for it, is the caller's policy.
// The protocol as vigild speaks it: docs/notify.md.
// Thread rule: loop thread only. on_message runs on the loop thread, never from inside Open().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "base/status.h"
#include "base/unique_fd.h"
#include "event/loop.h"
#include "process/notify_message.h"

namespace vigil::process {

class NotifySocket {
 public:
  // Who sent a datagram: the kernel's SCM_CREDENTIALS, never what the datagram says. pid is
  // the sending process as seen from vigild's pid namespace (always > 0; datagrams from a
  // process vigild cannot see are dropped). A sender with CAP_SYS_ADMIN may name another pid
  // (systemd-notify running as root names its parent, see docs/notify.md); anyone else gets
  // their own.
  struct Sender {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
  };
  using MessageFn = std::function<void(const Sender&, NotifyMessage)>;

  // What was dropped, and why; for diagnostics and tests.
  struct Counters {
    uint64_t delivered = 0;          // on_message was called
    uint64_t oversized = 0;          // longer than kMaxDatagramBytes (MSG_TRUNC)
    uint64_t no_credentials = 0;     // no SCM_CREDENTIALS, or a pid vigild cannot see
    uint64_t malformed = 0;          // ParseNotifyMessage refused it (a NUL byte inside)
    uint64_t control_truncated = 0;  // more descriptors than fit (MSG_CTRUNC): dropped
    uint64_t fds_closed = 0;         // descriptors that came with datagrams (SCM_RIGHTS), all closed
    uint64_t read_errors = 0;        // recvmsg(2) failures other than EAGAIN/EINTR
  };

  // As systemd's NOTIFY_BUFFER_MAX (PIPE_BUF): a longer datagram is dropped whole.
  static constexpr size_t kMaxDatagramBytes = 4096;

  // Binds an AF_UNIX datagram socket at `path` (absolute, as sd_notify requires, and short
  // enough for sockaddr_un), with SO_PASSCRED so that every datagram carries its sender's
  // credentials, and watches it on `loop`. The socket file gets mode 0666: programs run as
  // any user, and connecting to a unix socket needs write permission on its file; a sender
  // is trusted for nothing but what its kernel credentials prove (systemd's
  // /run/systemd/notify is world-writable for the same reason). The directories above
  // `path` must let those users through (search permission) for them to reach it; Open()
  // neither creates nor changes them.
  // A socket file left at `path` by a process that is gone is replaced. Fails with
  // InvalidArgument for a relative or too long path, or one that exists and is not a socket
  // (left alone); Unavailable if a socket bound there is still in use (another vigild);
  // IoError if a system call fails. A failure never leaves a socket file of its own behind.
  //
  // Then, for each datagram: its descriptors (SCM_RIGHTS, such as FDSTORE=1 or the pipe of
  // sd_notify_barrier(3)) are received close-on-exec and closed once the datagram has been
  // handled, so a barrier is released after every message sent before it was; a datagram that
  // is oversized, lacks credentials or does not parse is dropped (see counters()); every other
  // one is passed to `on_message`. `on_message` may destroy the NotifySocket; nothing is
  // called after that.
  static base::Result<std::unique_ptr<NotifySocket>> Open(event::Loop& loop, const std::filesystem::path& path,
                                                          MessageFn on_message);

  // Stops watching and removes the socket file if it is still the one Open() bound.
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The value for the programs' NOTIFY_SOCKET environment variable.
  const std::filesystem::path& path() const { return path_; }
  const Counters& counters() const { return counters_; }

 private:
  NotifySocket(event::Loop& loop, std::filesystem::path path, MessageFn on_message);
  enum class ReadResult { kHandled, kEmpty, kError };
  // Reads and handles datagrams until the socket is empty, or a budget is spent (then comes
  // back on a zero timer, so that one flooding sender cannot hold the loop).
  void Drain();
  ReadResult ReadOne();

  event::Loop& loop_;
  std::filesystem::path path_;
  std::shared_ptr<MessageFn> on_message_;  // shared: it must outlive a call that destroys us
  base::UniqueFd fd_;
  dev_t dev_ = 0;  // the socket file, to remove it only if it is still ours
  ino_t ino_ = 0;
  event::HandlePtr watch_;
  event::HandlePtr resume_;
  Counters counters_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

// The process group of `pid`, from the fifth field of proc_root/PID/stat (proc(5)), for the
// caller's check that a sender belongs to a Program: its pid is the main pid, or its process
// group is the Program's (vigild starts every Program in a session and group of its own, and
// setpgid(2) cannot move a process into a group of another session). Works for a zombie too.
// nullopt if there is no such process, or its stat file cannot be read or parsed. Ask while
// handling the datagram: a sender that sends and exits at once may be gone already (see
// docs/notify.md), and once it is reaped its pid may belong to another process.
std::optional<pid_t> ProcessGroupOf(pid_t pid, const std::filesystem::path& proc_root = "/proc");

}  // namespace vigil::process
