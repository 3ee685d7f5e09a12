// SPDX-License-Identifier: MIT
// NotifySocket: the notify datagram socket of vigild (creation, reading with credentials and
// descriptors, removal), and ProcessGroupOf for the caller's sender check.
#include "process/notify_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_util.h"

namespace vigil::process {
namespace {

// SCM_MAX_FD in the kernel (include/net/scm.h): the most descriptors one datagram can carry.
// Room for all of them means a sender cannot make us miss its credentials.
constexpr size_t kMaxFdsPerDatagram = 253;
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * kMaxFdsPerDatagram);

// Datagrams handled per wake before yielding to the rest of the loop.
constexpr int kDatagramsPerWake = 256;
// After a recvmsg(2) failure (ENOMEM, ENOBUFS), try again this much later: with an
// edge-triggered watch, the datagrams still queued would otherwise wait for the next one.
constexpr base::Duration kRetryAfterError = std::chrono::milliseconds(100);

base::Status MakeAddress(const std::filesystem::path& path, sockaddr_un* addr, socklen_t* len) {
  const std::string& text = path.native();
  if (!path.is_absolute()) {
    // sd_notify(3) takes only an absolute path (or an abstract name) from NOTIFY_SOCKET.
    return base::Status::InvalidArgument("notify socket path must be absolute: \"" + text + "\"");
  }
  *addr = sockaddr_un{};
  addr->sun_family = AF_UNIX;
  if (text.size() >= sizeof(addr->sun_path)) {
    return base::Status::InvalidArgument("notify socket path must be shorter than " +
                                         std::to_string(sizeof(addr->sun_path)) + " bytes: \"" + text + "\"");
  }
  std::memcpy(addr->sun_path, text.data(), text.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size() + 1);
  return base::Status::Ok();
}

// Removes a socket file at `path` that nobody is bound to any more. unix(7): connect(2) to a
// socket file whose socket is gone fails with ECONNREFUSED.
base::Status RemoveStaleSocket(const std::filesystem::path& path, const sockaddr_un& addr, socklen_t len) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::Status::Ok();
    return base::ErrnoStatus("stat " + path.string(), errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return base::Status::InvalidArgument(path.string() + " exists and is not a socket");
  }
  base::UniqueFd probe(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!probe.valid()) return base::ErrnoStatus("socket", errno);
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), len) == 0 || errno == EPROTOTYPE) {
    // EPROTOTYPE: a live socket of another type (a stream socket) is bound there.
    return base::Status::Unavailable("the notify socket " + path.string() + " is in use (another vigild?)");
  }
  if (errno != ECONNREFUSED && errno != ENOENT) return base::ErrnoStatus("connect " + path.string(), errno);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return base::ErrnoStatus("remove stale socket " + path.string(), errno);
  }
  return base::Status::Ok();
}

}  // namespace

NotifySocket::NotifySocket(event::Loop& loop, std::filesystem::path path, MessageFn on_message)
    : loop_(loop), path_(std::move(path)), on_message_(std::make_shared<MessageFn>(std::move(on_message))) {}

base::Result<std::unique_ptr<NotifySocket>> NotifySocket::Open(event::Loop& loop, const std::filesystem::path& path,
                                                               MessageFn on_message) {
  sockaddr_un addr;
  socklen_t addr_len = 0;
  if (auto s = MakeAddress(path, &addr, &addr_len); !s.ok()) return s;
  if (auto s = RemoveStaleSocket(path, addr, addr_len); !s.ok()) return s;

  std::unique_ptr<NotifySocket> socket(new NotifySocket(loop, path, std::move(on_message)));
  socket->fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket->fd_.valid()) return base::ErrnoStatus("socket", errno);
  // unix(7): with SO_PASSCRED the kernel attaches the sender's credentials to every
  // datagram, whether or not the sender sent them. Set before bind(2), so that no datagram
  // can arrive without them.
  const int on = 1;
  if (::setsockopt(socket->fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
    return base::ErrnoStatus("setsockopt SO_PASSCRED " + path.string(), errno);
  }
  if (::bind(socket->fd_.get(), reinterpret_cast<const sockaddr*>(&addr), addr_len) != 0) {
    return base::ErrnoStatus("bind " + path.string(), errno);
  }

  // From here on the file is ours: remove it again on failure.
  auto fail = [&](const std::string& what, int errno_value) {
    base::Status status = base::ErrnoStatus(what + " " + path.string(), errno_value);
    ::unlink(path.c_str());
    return status;
  };
  // bind(2) made the file with 0777 & ~umask. Widen it to 0666 here rather than by lowering
  // the process-wide umask around bind, which a thread creating files at that moment would
  // inherit. AT_SYMLINK_NOFOLLOW: never chmod what a symlink put in our file's place points to
  // (glibc 2.32 and later do it through O_PATH; a symlink fails with EOPNOTSUPP).
  if (::fchmodat(AT_FDCWD, path.c_str(), 0666, AT_SYMLINK_NOFOLLOW) != 0) return fail("chmod", errno);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return fail("stat", errno);
  socket->dev_ = st.st_dev;
  socket->ino_ = st.st_ino;

  NotifySocket* raw = socket.get();
  auto watch = loop.WatchReadable(raw->fd_.get(), [raw] { raw->Drain(); });
  if (!watch) {
    ::unlink(path.c_str());
    return watch.error();
  }
  raw->watch_ = std::move(watch).value();
  return socket;
}

NotifySocket::~NotifySocket() {
  watch_.reset();
  resume_.reset();
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) ::unlink(path_.c_str());
}

void NotifySocket::Drain() {
  resume_.reset();
  const std::weak_ptr<char> alive = alive_;
  for (int i = 0; i < kDatagramsPerWake; ++i) {
    const ReadResult result = ReadOne();
    if (alive.expired()) return;  // on_message destroyed us
    if (result == ReadResult::kEmpty) return;
    if (result == ReadResult::kError) {
      resume_ = loop_.AddTimer(kRetryAfterError, [this] { Drain(); });
      return;
    }
  }
  // The watch is edge-triggered: what is left would not wake us again by itself.
  resume_ = loop_.AddTimer(base::Duration(0), [this] { Drain(); });
}

NotifySocket::ReadResult NotifySocket::ReadOne() {
  char data[kMaxDatagramBytes];
  alignas(cmsghdr) char control[kControlBytes];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  // MSG_TRUNC: return the datagram's real length (unix(7), since Linux 3.4), so that an
  // oversized one is recognised. MSG_CMSG_CLOEXEC: received descriptors must not leak into a
  // program spawned before they are closed.
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::kEmpty;
    ++counters_.read_errors;
    return ReadResult::kError;
  }

  // Every descriptor is closed when this function returns, after on_message: a sender
  // waiting in sd_notify_barrier(3) is released only once all it sent before is handled.
  std::vector<base::UniqueFd> fds;
  std::optional<Sender> sender;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        fds.emplace_back(fd);
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
      ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      sender = Sender{cred.pid, cred.uid, cred.gid};
    }
  }
  counters_.fds_closed += fds.size();

  if ((msg.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(n) > kMaxDatagramBytes) {
    ++counters_.oversized;
    return ReadResult::kHandled;
  }
  if ((msg.msg_flags & MSG_CTRUNC) != 0) {
    // The kernel closed the descriptors that did not fit; what the sender meant is unclear.
    ++counters_.control_truncated;
    return ReadResult::kHandled;
  }
  // A pid of 0: the sender is outside vigild's pid namespace (neither in it nor below it).
  if (!sender || sender->pid <= 0) {
    ++counters_.no_credentials;
    return ReadResult::kHandled;
  }
  auto message = ParseNotifyMessage(std::string_view(data, static_cast<size_t>(n)));
  if (!message) {
    ++counters_.malformed;
    return ReadResult::kHandled;
  }
  ++counters_.delivered;
  // A copy of the pointer keeps the callback alive through its call, even if it destroys us.
  const std::shared_ptr<MessageFn> on_message = on_message_;
  (*on_message)(*sender, std::move(message).value());
  return ReadResult::kHandled;
}

std::optional<pid_t> ProcessGroupOf(pid_t pid, const std::filesystem::path& proc_root) {
  if (pid <= 0) return std::nullopt;
  auto stat = base::ReadFile(proc_root / std::to_string(pid) / "stat");
  if (!stat) return std::nullopt;
  // proc(5): "pid (comm) state ppid pgrp ...". comm may hold spaces and parentheses, so the
  // fields start after the last ')'.
  const std::string& text = *stat;
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(close + 1);
  std::string_view fields[3];
  for (std::string_view& field : fields) {
    if (rest.empty() || rest[0] != ' ') return std::nullopt;
    rest.remove_prefix(1);
    const size_t end = std::min(rest.find(' '), rest.size());
    field = rest.substr(0, end);
    rest.remove_prefix(end);
  }
  const std::string_view pgrp = fields[2];
  if (pgrp.empty() || pgrp.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : pgrp) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > std::numeric_limits<pid_t>::max()) return std::nullopt;
  return static_cast<pid_t>(value);
}

}  // namespace vigil::process
