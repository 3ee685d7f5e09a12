// SPDX-License-Identifier: MIT
// NotifySocket with a real event::Loop and real senders: plain sendto(2), forked children,
// Debian's systemd-notify, Python's socket module, libsystemd's sd_notify (dlopen'ed),
// descriptors passed along (all closed), oversized datagrams, a burst, and teardown.
// ProcessGroupOf against the real /proc and a fake one.
#include "process/notify_socket.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "process/spawn.h"
#include "util/temp_dir.h"

namespace vigil::process {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr uid_t kNobody = 65534;

// Runs the loop until `done` or a 10 s deadline; waits are conditions, never sleeps. A short
// tick wakes the loop so that conditions outside it (a child's exit) are seen too.
bool RunUntil(event::Loop& loop, const std::function<bool()>& done) {
  bool expired = false;
  auto deadline = loop.AddTimer(std::chrono::seconds(10), [&] { expired = true; });
  bool finished = false;  // done() is asked once per turn: it may reap a child
  while (!(finished = done()) && !expired) {
    auto tick = loop.AddTimer(milliseconds(5), [] {});
    loop.RunOne();
  }
  return finished;
}

// Sends one datagram to `path` from a fresh unconnected socket, with `fds` as SCM_RIGHTS.
// Returns 0 or the errno of sendmsg(2).
int SendDatagram(const fs::path& path, std::string_view bytes, const std::vector<int>& fds = {}) {
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.native().size());
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_name = &addr;
  msg.msg_namelen = sizeof addr;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  return ::sendmsg(fd.get(), &msg, MSG_NOSIGNAL) < 0 ? errno : 0;
}

size_t CountOpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Runs `fn` in a forked child, which exits with its result. The test process has one
// thread, so the child may do anything.
pid_t Fork(const std::function<int()>& fn) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(fn());
  return pid;
}

// True once `pid` has exited; then *status is its wait(2) status.
bool Reaped(pid_t pid, int* status) { return ::waitpid(pid, status, WNOHANG) == pid; }

struct Received {
  NotifySocket::Sender sender;
  NotifyMessage message;
  std::optional<pid_t> sender_group;  // ProcessGroupOf(sender.pid), asked in the callback
};

class NotifySocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "notify.sock";
    auto socket = NotifySocket::Open(loop_, path_, [this](const NotifySocket::Sender& sender, NotifyMessage m) {
      received_.push_back({sender, std::move(m), ProcessGroupOf(sender.pid)});
    });
    ASSERT_TRUE(socket) << socket.error().message();
    socket_ = std::move(socket).value();
  }

  bool WaitForMessages(size_t n) {
    return RunUntil(loop_, [&] { return received_.size() >= n; });
  }
  // Other users must be able to reach the socket: the temp dir is 0700.
  void LetOtherUsersIn() { fs::permissions(dir_.path(), fs::perms::others_exec, fs::perm_options::add); }

  testing::TempDir dir_;
  fs::path path_;
  event::Loop loop_;
  std::unique_ptr<NotifySocket> socket_;
  std::vector<Received> received_;
};

TEST_F(NotifySocketTest, DeliversADatagramWithTheSendersCredentials) {
  EXPECT_EQ(socket_->path(), path_);
  ASSERT_EQ(SendDatagram(path_, "READY=1\nSTATUS=hello"), 0);
  EXPECT_TRUE(received_.empty());  // only from the loop, never from inside a call
  ASSERT_TRUE(WaitForMessages(1));
  const Received& r = received_[0];
  EXPECT_EQ(r.sender.pid, ::getpid());
  EXPECT_EQ(r.sender.uid, ::getuid());
  EXPECT_EQ(r.sender.gid, ::getgid());
  EXPECT_TRUE(r.message.ready);
  EXPECT_EQ(r.message.status, "hello");
  EXPECT_EQ(socket_->counters().delivered, 1u);
}

TEST_F(NotifySocketTest, SocketFileIsAWorldWritableSocket) {
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0666u);
}

TEST_F(NotifySocketTest, CredentialsNameAForkedChild) {
  const pid_t child = Fork([&] { return SendDatagram(path_, "WATCHDOG=1"); });
  ASSERT_GT(child, 0);
  int status = -1;
  ASSERT_TRUE(WaitForMessages(1));
  ASSERT_TRUE(RunUntil(loop_, [&] { return Reaped(child, &status); }));
  EXPECT_EQ(DescribeWaitStatus(status), "exit 0");
  EXPECT_EQ(received_[0].sender.pid, child);
  EXPECT_TRUE(received_[0].message.watchdog);
}

TEST_F(NotifySocketTest, AcceptsAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  LetOtherUsersIn();
  const pid_t child = Fork([&] {
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) return 100;
    return SendDatagram(path_, "READY=1");
  });
  ASSERT_GT(child, 0);
  int status = -1;
  ASSERT_TRUE(RunUntil(loop_, [&] { return Reaped(child, &status); }));
  ASSERT_EQ(DescribeWaitStatus(status), "exit 0");
  ASSERT_TRUE(WaitForMessages(1));
  EXPECT_EQ(received_[0].sender.pid, child);
  EXPECT_EQ(received_[0].sender.uid, kNobody);
  EXPECT_EQ(received_[0].sender.gid, kNobody);
}

// Spawns `argv` (in its own process group, as vigild does) with NOTIFY_SOCKET set, and waits
// for it to exit and for `messages` messages.
struct Spawned {
  pid_t pid = 0;
  int status = -1;
};
Spawned RunProgram(event::Loop& loop, const SpawnRequest& request, const std::vector<Received>& received,
                   size_t messages) {
  Spawned result;
  auto child = Spawn(request);
  EXPECT_TRUE(child) << child.error().message();
  if (!child) return result;
  result.pid = child->pid;
  bool reaped = false;
  EXPECT_TRUE(RunUntil(loop,
                       [&] {
                         reaped = reaped || Reaped(child->pid, &result.status);
                         return reaped && received.size() >= messages;
                       }))
      << "exited: " << (result.status == -1 ? "no" : DescribeWaitStatus(result.status))
      << ", messages: " << received.size();
  return result;
}

constexpr char kSystemdNotify[] = "/usr/bin/systemd-notify";

// Debian's systemd-notify (252) sends its message, then BARRIER=1 with a pipe, and waits (up
// to 5 s) for the receiver to close it: its exit status says the barrier was released.
TEST_F(NotifySocketTest, SystemdNotifyRunDirectly) {
  if (::access(kSystemdNotify, X_OK) != 0) GTEST_SKIP() << kSystemdNotify << " is not installed";
  SpawnRequest req;
  req.argv = {kSystemdNotify, "--ready", "--status=warming up"};
  req.environment = {{"NOTIFY_SOCKET", path_.string()}};
  Spawned run = RunProgram(loop_, req, received_, 2);
  EXPECT_EQ(DescribeWaitStatus(run.status), "exit 0");
  ASSERT_EQ(received_.size(), 2u);  // BARRIER=1 is a message that says nothing: delivered too
  const Received& r = received_[0];
  EXPECT_TRUE(r.message.ready);
  EXPECT_EQ(r.message.status, "warming up");
  // With CAP_SYS_ADMIN, systemd-notify credits its message to its parent (here the test);
  // without, the kernel refuses the forged pid and it sends as itself.
  EXPECT_EQ(r.sender.pid, ::geteuid() == 0 ? ::getpid() : run.pid);
  EXPECT_EQ(received_[1].sender.pid, run.pid);    // the barrier comes from systemd-notify itself
  EXPECT_EQ(socket_->counters().fds_closed, 1u);  // the barrier's pipe
}

// The way a program uses it: from its start script, as root and as another user. Either way
// the sender is in the program's process group while the datagram is handled (the barrier
// keeps systemd-notify alive until then), which is the check the supervisor makes.
TEST_F(NotifySocketTest, SystemdNotifyFromAProgramsScriptIsInItsProcessGroup) {
  if (::access(kSystemdNotify, X_OK) != 0) GTEST_SKIP() << kSystemdNotify << " is not installed";
  std::vector<std::optional<uid_t>> users = {std::nullopt};
  if (::geteuid() == 0) {
    users.push_back(kNobody);
    LetOtherUsersIn();
  }
  for (const auto& uid : users) {
    SCOPED_TRACE(uid ? "as nobody" : "as myself");
    received_.clear();
    SpawnRequest req;
    req.argv = {"sh", "-c", "systemd-notify --ready --status=\"warming up\" && systemd-notify STATUS=serving"};
    req.environment = {{"NOTIFY_SOCKET", path_.string()}, {"PATH", "/usr/bin:/bin"}};
    req.uid = uid;
    if (uid) req.gid = kNobody;
    Spawned run = RunProgram(loop_, req, received_, 4);
    EXPECT_EQ(DescribeWaitStatus(run.status), "exit 0");
    ASSERT_EQ(received_.size(), 4u);  // each message, then each barrier
    EXPECT_TRUE(received_[0].message.ready);
    EXPECT_EQ(received_[0].message.status, "warming up");
    EXPECT_EQ(received_[2].message.status, "serving");
    for (const Received& r : received_) {
      EXPECT_EQ(r.sender_group, run.pid) << "sender " << r.sender.pid;
      EXPECT_EQ(r.sender.uid, uid.value_or(::getuid()));
    }
  }
}

// Python's sdnotify library and hand-written senders: sendto, or connect and send.
TEST_F(NotifySocketTest, PythonSocketModule) {
  std::string python = "/usr/bin/python3";
  if (::access(python.c_str(), X_OK) != 0) {
    auto found = FindExecutable("python3", ::getenv("PATH") ? ::getenv("PATH") : "");
    if (!found) GTEST_SKIP() << "no python3";
    python = *found;
  }
  SpawnRequest req;
  req.argv = {python, "-c",
              "import os, socket\n"
              "addr = os.environ['NOTIFY_SOCKET']\n"
              "socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1\\nSTATUS=from python', addr)\n"
              "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect(addr); s.sendall(b'WATCHDOG=1')\n"};
  req.environment = {{"NOTIFY_SOCKET", path_.string()}};
  Spawned run = RunProgram(loop_, req, received_, 2);
  EXPECT_EQ(DescribeWaitStatus(run.status), "exit 0");
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_TRUE(received_[0].message.ready);
  EXPECT_EQ(received_[0].message.status, "from python");
  EXPECT_TRUE(received_[1].message.watchdog);
  for (const Received& r : received_) EXPECT_EQ(r.sender.pid, run.pid);
}

// libsystemd's own sd_notify() and sd_notify_barrier(), loaded at run time so that the test
// binary needs no -lsystemd.
TEST_F(NotifySocketTest, LibsystemdSdNotifyAndBarrier) {
  void* lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) GTEST_SKIP() << "no libsystemd.so.0";
  using NotifyFn = int (*)(int, const char*);
  using BarrierFn = int (*)(int, uint64_t);
  auto sd_notify = reinterpret_cast<NotifyFn>(::dlsym(lib, "sd_notify"));
  auto sd_notify_barrier = reinterpret_cast<BarrierFn>(::dlsym(lib, "sd_notify_barrier"));
  if (sd_notify == nullptr || sd_notify_barrier == nullptr) GTEST_SKIP() << "libsystemd too old";
  const pid_t child = Fork([&] {
    if (::setenv("NOTIFY_SOCKET", path_.c_str(), 1) != 0) return 100;
    if (sd_notify(0, "READY=1\nSTATUS=libsystemd\nMAINPID=4242") <= 0) return 101;
    // Returns once the receiver has closed the pipe it sent, or fails after 5 s.
    if (sd_notify_barrier(0, 5'000'000) <= 0) return 102;
    return 0;
  });
  ASSERT_GT(child, 0);
  int status = -1;
  ASSERT_TRUE(RunUntil(loop_, [&] { return Reaped(child, &status); }));
  EXPECT_EQ(DescribeWaitStatus(status), "exit 0");
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(received_[0].sender.pid, child);
  EXPECT_TRUE(received_[0].message.ready);
  EXPECT_EQ(received_[0].message.status, "libsystemd");
  EXPECT_EQ(received_[0].message.main_pid, 4242);
  EXPECT_EQ(socket_->counters().fds_closed, 1u);
  ::dlclose(lib);
}

TEST_F(NotifySocketTest, ClosesEveryDescriptorPassedWithADatagram) {
  const size_t before = CountOpenFds();
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);  // a leaked write end fails, not hangs
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  base::UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_EQ(SendDatagram(path_, "FDSTORE=1\nFDNAME=state", {write_end.get(), dev_null.get(), write_end.get()}), 0);
  write_end.reset();
  dev_null.reset();
  // The most one datagram can carry, with a message that is refused (a NUL inside).
  std::vector<base::UniqueFd> many;
  std::vector<int> raw;
  for (int i = 0; i < 253; ++i) {
    many.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    raw.push_back(many.back().get());
  }
  ASSERT_EQ(SendDatagram(path_, std::string("FDSTORE=1\0x", 11), raw), 0);
  many.clear();
  ASSERT_EQ(SendDatagram(path_, std::string(NotifySocket::kMaxDatagramBytes + 1, 'x'), {read_end.get()}), 0);
  ASSERT_EQ(SendDatagram(path_, "READY=1"), 0);

  ASSERT_TRUE(WaitForMessages(2));
  EXPECT_EQ(socket_->counters().fds_closed, 3u + 253u + 1u);
  EXPECT_EQ(socket_->counters().malformed, 1u);
  EXPECT_EQ(socket_->counters().oversized, 1u);
  // vigild's copy of the write end is closed: the read end sees end of file.
  char c;
  EXPECT_EQ(::read(read_end.get(), &c, 1), 0);
  read_end.reset();
  EXPECT_EQ(CountOpenFds(), before);
}

TEST_F(NotifySocketTest, DropsAnOversizedDatagram) {
  const size_t max = NotifySocket::kMaxDatagramBytes;
  ASSERT_EQ(SendDatagram(path_, "STATUS=" + std::string(max, 'a')), 0);
  ASSERT_EQ(SendDatagram(path_, "READY=1\n" + std::string(64 * 1024, 'b')), 0);
  std::string exactly_max = "STATUS=" + std::string(max - 7, 'c');  // the largest accepted
  ASSERT_EQ(SendDatagram(path_, exactly_max), 0);
  ASSERT_EQ(SendDatagram(path_, "WATCHDOG=1"), 0);
  ASSERT_TRUE(WaitForMessages(2));
  EXPECT_EQ(socket_->counters().oversized, 2u);
  EXPECT_FALSE(received_[0].message.ready);
  EXPECT_EQ(received_[0].message.status->size(), kMaxStatusBytes);
  EXPECT_TRUE(received_[1].message.watchdog);
}

// The kernel queues only net.unix.max_dgram_qlen (10 by default) datagrams and blocks the
// sender beyond that: every one of the burst must still arrive, in order.
TEST_F(NotifySocketTest, DeliversABurstOfAThousandDatagrams) {
  constexpr int kCount = 1000;
  const pid_t child = Fork([&] {
    for (int i = 0; i < kCount; ++i) {
      char text[32];
      const int n = std::snprintf(text, sizeof text, "WATCHDOG=1\nSTATUS=%d", i);
      if (SendDatagram(path_, std::string_view(text, static_cast<size_t>(n))) != 0) return 1;
    }
    return 0;
  });
  ASSERT_GT(child, 0);
  ASSERT_TRUE(WaitForMessages(kCount));
  int status = -1;
  ASSERT_TRUE(RunUntil(loop_, [&] { return Reaped(child, &status); }));
  EXPECT_EQ(DescribeWaitStatus(status), "exit 0");
  ASSERT_EQ(received_.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(received_[i].message.status, std::to_string(i));
    ASSERT_EQ(received_[i].sender.pid, child);
  }
}

TEST_F(NotifySocketTest, DestroyingRemovesTheFileAndStopsCallbacks) {
  ASSERT_EQ(SendDatagram(path_, "READY=1"), 0);
  socket_.reset();
  EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
  loop_.Poll();  // the socket is closed: nothing can be ready for it any more
  EXPECT_TRUE(received_.empty());
}

TEST_F(NotifySocketTest, OnMessageMayDestroyTheSocket) {
  socket_ = nullptr;
  auto socket = NotifySocket::Open(loop_, path_, [&](const NotifySocket::Sender&, NotifyMessage m) {
    received_.push_back({{}, std::move(m), std::nullopt});
    socket_.reset();
  });
  ASSERT_TRUE(socket) << socket.error().message();
  socket_ = std::move(socket).value();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(SendDatagram(path_, "READY=1"), 0);
  ASSERT_TRUE(WaitForMessages(1));
  loop_.Poll();
  EXPECT_EQ(received_.size(), 1u);  // the other two went with the socket
  EXPECT_EQ(socket_, nullptr);
  EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
}

// The second vigild does not take the first one's socket; the first keeps it.
TEST_F(NotifySocketTest, RefusesASocketInUse) {
  auto second = NotifySocket::Open(loop_, path_, [](const NotifySocket::Sender&, NotifyMessage) {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), base::StatusCode::kUnavailable);
  ASSERT_EQ(SendDatagram(path_, "READY=1"), 0);
  EXPECT_TRUE(WaitForMessages(1));
}

// A successor bound at the same path keeps its file when its predecessor goes away.
TEST_F(NotifySocketTest, DestructorLeavesASuccessorsFile) {
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  auto successor = NotifySocket::Open(loop_, path_, [](const NotifySocket::Sender&, NotifyMessage) {});
  ASSERT_TRUE(successor) << successor.error().message();
  socket_.reset();
  EXPECT_TRUE(fs::exists(fs::symlink_status(path_)));
  successor->reset();
  EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
}

TEST(NotifySocketOpenTest, ReplacesAStaleSocketFile) {
  testing::TempDir dir;
  const fs::path path = dir / "notify.sock";
  {
    base::UniqueFd old(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size());
    ASSERT_EQ(::bind(old.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }  // closed: the file stays behind, as after a crash
  ASSERT_TRUE(fs::exists(fs::symlink_status(path)));
  event::Loop loop;
  int count = 0;
  auto socket = NotifySocket::Open(loop, path, [&](const NotifySocket::Sender&, NotifyMessage) { ++count; });
  ASSERT_TRUE(socket) << socket.error().message();
  ASSERT_EQ(SendDatagram(path, "READY=1"), 0);
  EXPECT_TRUE(RunUntil(loop, [&] { return count == 1; }));
}

TEST(NotifySocketOpenTest, RefusesBadPaths) {
  testing::TempDir dir;
  event::Loop loop;
  auto open = [&](const fs::path& path) {
    return NotifySocket::Open(loop, path, [](const NotifySocket::Sender&, NotifyMessage) {});
  };
  std::ofstream(dir / "file") << "keep me";
  auto not_a_socket = open(dir / "file");
  ASSERT_FALSE(not_a_socket);
  EXPECT_EQ(not_a_socket.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(not_a_socket.error().message().find("not a socket"), std::string::npos);
  EXPECT_EQ(fs::file_size(dir / "file"), 7u);

  auto relative = open("notify.sock");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(relative.error().message().find("absolute"), std::string::npos);

  auto too_long = open(dir / std::string(120, 'n'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code(), base::StatusCode::kInvalidArgument);

  auto no_dir = open(dir / "missing" / "notify.sock");
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().code(), base::StatusCode::kIoError);
  EXPECT_NE(no_dir.error().message().find("bind"), std::string::npos);
}

TEST(ProcessGroupOfTest, ReadsRealProcesses) {
  EXPECT_EQ(ProcessGroupOf(::getpid()), ::getpgrp());
  SpawnRequest req;
  req.argv = {"sleep", "1000"};
  auto child = Spawn(req);
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(ProcessGroupOf(child->pid), child->pid);  // a group of its own
  ::kill(child->pid, SIGKILL);
  // A zombie still answers, until it is reaped.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child->pid), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(ProcessGroupOf(child->pid), child->pid);
  int status;
  ASSERT_EQ(::waitpid(child->pid, &status, 0), child->pid);
  EXPECT_EQ(ProcessGroupOf(child->pid), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(0), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(-1), std::nullopt);
}

TEST(ProcessGroupOfTest, ParsesStatFromAFakeProcRoot) {
  testing::TempDir proc;
  auto write = [&](int pid, const std::string& stat) {
    fs::create_directories(proc / std::to_string(pid));
    std::ofstream(proc / std::to_string(pid) / "stat") << stat;
  };
  write(10, "10 (sh) S 1 777 777 0 -1 4194560 100 0 0 0\n");
  write(11, "11 (a) (b c) R 1 888 888 0\n");  // comm with spaces and a ')'
  write(12, "12 (x");
  write(13, "13 (x) S 1");
  write(14, "14 (x) S 1 12a 5");
  write(15, "15 (x) S 1 99999999999 5");
  write(16, "16 (kthreadd) S 2 0 0");
  EXPECT_EQ(ProcessGroupOf(10, proc.path()), 777);
  EXPECT_EQ(ProcessGroupOf(11, proc.path()), 888);
  EXPECT_EQ(ProcessGroupOf(12, proc.path()), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(13, proc.path()), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(14, proc.path()), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(15, proc.path()), std::nullopt);
  EXPECT_EQ(ProcessGroupOf(16, proc.path()), 0);
  EXPECT_EQ(ProcessGroupOf(17, proc.path()), std::nullopt);
}

}  // namespace
}  // namespace vigil::process
