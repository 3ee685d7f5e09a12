// SPDX-License-Identifier: MIT
// Creating and removing the API's unix socket file.
#include "api/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace vigil::api {
namespace {

base::Status MakePrivateDirs(const std::filesystem::path& dir) {
  if (dir.empty()) return base::Status::Ok();
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    // mkdir(2) reports EEXIST before checking write permission on the parent, so
    // existing system directories such as /run pass through.
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return base::ErrnoStatus("mkdir " + partial.string(), errno);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return base::ErrnoStatus("stat " + dir.string(), errno);
  if (!S_ISDIR(st.st_mode)) {
    return base::Status::InvalidArgument(dir.string() + " is not a directory");
  }
  return base::Status::Ok();
}

// Whether a server accepts connections on `addr`.
base::Result<bool> SomeoneListens(const sockaddr_un& addr, const std::filesystem::path& path) {
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return base::ErrnoStatus("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return true;
  // unix(7): a non-blocking connect gets EAGAIN when the listener's backlog is full, so
  // someone is there; ECONNREFUSED means the file outlived its server.
  if (errno == EAGAIN || errno == EINPROGRESS) return true;
  if (errno == ECONNREFUSED || errno == ENOENT) return false;
  return base::ErrnoStatus("connect " + path.string(), errno);
}

}  // namespace

base::Result<ListeningSocket> ListenOnUnixSocket(const std::filesystem::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& text = path.native();
  if (text.empty() || text.size() >= sizeof(addr.sun_path)) {
    return base::Status::InvalidArgument("socket path must be 1 to " +
                                         std::to_string(sizeof(addr.sun_path) - 1) +
                                         " bytes long: \"" + text + "\"");
  }
  std::memcpy(addr.sun_path, text.data(), text.size());

  if (auto s = MakePrivateDirs(path.parent_path()); !s.ok()) return s;

  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return base::Status::InvalidArgument(text + " exists and is not a socket");
    }
    auto live = SomeoneListens(addr, path);
    if (!live) return live.error();
    if (*live) return base::Status::Unavailable("another vigild is already listening on " + text);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return base::ErrnoStatus("remove stale socket " + text, errno);
    }
  } else if (errno != ENOENT) {
    return base::ErrnoStatus("stat " + text, errno);
  }

  ListeningSocket result;
  result.fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!result.fd.valid()) return base::ErrnoStatus("socket", errno);
  // bind(2) creates the file with mode 0777 & ~umask. Narrowing the umask around it means
  // the socket is never reachable by other users, not even between bind and chmod. The
  // umask is process-wide, which is fine on vigild's single thread.
  mode_t old_umask = ::umask(0177);
  int rc = ::bind(result.fd.get(), reinterpret_cast<const sockaddr*>(&addr),
                  static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size() + 1));
  int bind_errno = errno;
  ::umask(old_umask);
  if (rc != 0) return base::ErrnoStatus("bind " + text, bind_errno);

  // From here on the file is ours: remove it again on failure.
  auto fail = [&](const std::string& what) {
    base::Status status = base::ErrnoStatus(what + " " + text, errno);
    ::unlink(path.c_str());
    return status;
  };
  if (::chmod(path.c_str(), 0600) != 0) return fail("chmod");
  if (::lstat(path.c_str(), &st) != 0) return fail("stat");
  result.dev = st.st_dev;
  result.ino = st.st_ino;
  if (::listen(result.fd.get(), SOMAXCONN) != 0) return fail("listen");
  return result;
}

void RemoveSocketFile(const std::filesystem::path& path, const ListeningSocket& socket) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && st.st_dev == socket.dev && st.st_ino == socket.ino) {
    ::unlink(path.c_str());
  }
}

}  // namespace vigil::api
