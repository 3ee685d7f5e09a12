// SPDX-License-Identifier: MIT
// LogFile: appends a byte stream to a size-rotated file; buffers through write errors.
#include "logs/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "base/unique_fd.h"
#include "logs/compressor.h"
#include "logs/rotated_files.h"

namespace vigil::logs {
namespace fs = std::filesystem;

namespace {

// Bytes kept in memory per stream while the file cannot be written; more are dropped
// and counted. Large enough to ride out a short outage of a chatty program.
constexpr size_t kMaxPendingBytes = 1 << 20;
constexpr base::Duration kFirstRetry{1000};
constexpr base::Duration kMaxRetry{30000};
// The timestamp scratch buffer keeps its capacity between writes up to this size.
constexpr size_t kMaxIdleScratchBytes = 4 << 20;

// The buffer in which Write() stamps a chunk. One per thread serves every stream (a
// thousand programs need not keep one each), but only one Write() may hold it: a Write()
// reached from inside another (a subscriber writing to a log) gets a buffer of its own, so
// nothing can refill the bytes an outer Write() still holds a view into.
class StampBuffer {
 public:
  StampBuffer() {
    thread_local std::string shared;
    thread_local bool in_use = false;
    in_use_ = &in_use;
    owner_ = !in_use;
    buffer_ = owner_ ? &shared : &own_;
    in_use = true;
    buffer_->clear();
  }
  ~StampBuffer() {
    if (!owner_) return;
    if (buffer_->capacity() > kMaxIdleScratchBytes) *buffer_ = std::string();
    *in_use_ = false;
  }
  StampBuffer(const StampBuffer&) = delete;
  StampBuffer& operator=(const StampBuffer&) = delete;
  std::string& get() { return *buffer_; }

 private:
  std::string own_;
  std::string* buffer_;
  bool* in_use_;
  bool owner_;
};

// Subscribers live in a list shared with their handles: a handle may outlive the LogFile,
// and may be destroyed from inside its own callback.
struct SubscriberList {
  struct Entry {
    uint64_t id;
    std::function<void(std::string_view)> fn;
    std::function<void(std::string_view)> on_end;
    bool live = true;        // gets data
    bool cancelled = false;  // its handle is gone: nothing may call it any more
  };
  std::vector<std::shared_ptr<Entry>> entries;
  int delivering = 0;
  uint64_t next_id = 1;

  // Ends every live entry: `on_end` runs on a later loop turn, so whoever ends the list is
  // never called back from inside (the HTTP session that follows may close itself there).
  // An entry whose handle is destroyed before that turn is not told: its owner is gone.
  void End(event::Loop& loop, const std::string& reason) {
    std::vector<std::shared_ptr<Entry>> to_tell;
    for (auto& e : entries) {
      if (e->live && e->on_end) to_tell.push_back(e);
      e->live = false;
    }
    if (delivering == 0) Compact();
    if (to_tell.empty()) return;
    loop.Post([to_tell = std::move(to_tell), reason] {
      for (const auto& e : to_tell) {
        if (!e->cancelled) std::exchange(e->on_end, nullptr)(reason);
      }
    });
  }

  void Deliver(std::string_view bytes) {
    ++delivering;
    // Index loop: callbacks may Subscribe() (append) while we iterate.
    for (size_t i = 0; i < entries.size(); ++i) {
      std::shared_ptr<Entry> e = entries[i];
      if (e->live) e->fn(bytes);
    }
    if (--delivering == 0) Compact();
  }
  void Compact() {
    std::erase_if(entries, [](const std::shared_ptr<Entry>& e) { return !e->live; });
  }
};

// The handle holds its entry, not only the list: an end already posted must find it
// cancelled even when the list (the LogFile) is gone by then.
class Subscription : public event::Handle {
 public:
  Subscription(std::weak_ptr<SubscriberList> list, std::shared_ptr<SubscriberList::Entry> entry)
      : list_(std::move(list)), entry_(std::move(entry)) {}
  ~Subscription() override {
    entry_->live = false;
    entry_->cancelled = true;
    if (auto list = list_.lock(); list && list->delivering == 0) list->Compact();
  }

 private:
  std::weak_ptr<SubscriberList> list_;
  std::shared_ptr<SubscriberList::Entry> entry_;
};

// The latest compression result, written by the Compressor's worker thread.
struct CompressOutcome {
  std::mutex mu;
  std::string problem;  // guarded by mu
};

}  // namespace

class LogFile::Impl {
 public:
  // `path`, `spec` and `listener` belong to the LogFile, which outlives its Impl.
  Impl(event::Loop& loop, const std::string& path, const config::LogSpec& spec, Compressor* compressor,
       const std::function<void(const std::string&)>& listener)
      : loop_(loop), path_(path), spec_(spec), compressor_(compressor), listener_(listener) {
    if (Open()) CompressLeftovers();
  }

  ~Impl() {
    // Last chance for buffered bytes; no timer can help after this.
    if (failed_) TryRecover();
    if (subscribers_) subscribers_->End(loop_, "the log was closed");
    if (trouble_) trouble_->alive.reset();  // a problem report still queued is dropped
  }

  void Write(std::string_view bytes) {
    if (bytes.empty()) return;
    if (!spec_.timestamps) {
      if (subscribers_ && !subscribers_->entries.empty()) subscribers_->Deliver(bytes);
      at_line_start_ = bytes.back() == '\n';
      Append(bytes);
      return;
    }
    // One stamp per call: every line starting in this chunk arrived at the same moment.
    const std::string stamp = base::FormatIso8601(std::chrono::system_clock::now()) + " ";
    StampBuffer buffer;
    std::string& stamped = buffer.get();
    while (!bytes.empty()) {
      if (at_line_start_) stamped += stamp;
      size_t nl = bytes.find('\n');
      size_t take = nl == std::string_view::npos ? bytes.size() : nl + 1;
      stamped.append(bytes.data(), take);
      at_line_start_ = nl != std::string_view::npos;
      bytes.remove_prefix(take);
    }
    // Followers see what the file gets, so `vigil logs -f` matches the file.
    if (subscribers_ && !subscribers_->entries.empty()) subscribers_->Deliver(stamped);
    Append(stamped);
  }

  void EndFollowers(const std::string& reason) {
    if (subscribers_) subscribers_->End(loop_, reason);
  }

  void Reopen() {
    fd_.reset();
    TryRecover();
    if (failed_ || rotate_blocked_) ArmRetry();
  }

  void RotateNow() {
    if (failed_) TryRecover();
    rotate_blocked_ = false;
    if (!failed_) Rotate();
  }

  // The LogFile changed the spec this Impl reads.
  void SpecChanged() { rotate_blocked_ = false; }

  event::HandlePtr Subscribe(std::function<void(std::string_view)> fn,
                             std::function<void(std::string_view)> on_end) {
    if (!subscribers_) subscribers_ = std::make_shared<SubscriberList>();
    auto entry = std::make_shared<SubscriberList::Entry>(
        SubscriberList::Entry{subscribers_->next_id++, std::move(fn), std::move(on_end)});
    subscribers_->entries.push_back(entry);
    return std::make_unique<Subscription>(subscribers_, std::move(entry));
  }

  std::string problem() const {
    std::vector<std::string> parts;
    if (failed_) {
      parts.push_back(trouble_->failure + " (" + std::to_string(trouble_->pending.size()) + " bytes waiting, " +
                      std::to_string(dropped_unreported_) + " dropped)");
    }
    if (rotate_blocked_) parts.push_back(trouble_->rotate_problem);
    if (trouble_ && !trouble_->prune_problem.empty()) parts.push_back(trouble_->prune_problem);
    if (compress_outcome_) {
      std::lock_guard lock(compress_outcome_->mu);
      if (!compress_outcome_->problem.empty()) parts.push_back(compress_outcome_->problem);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
  }

  uint64_t dropped_bytes() const { return dropped_total_; }

 private:
  // Opens path_ for appending and learns its size and whether it ends mid-line. On
  // failure enters the error state and returns false.
  bool Open() {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
    if (!fd_.valid()) {
      Fail(base::ErrnoStatus("cannot open " + path_, errno).message());
      return false;
    }
    struct stat st {};
    size_ = ::fstat(fd_.get(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    line_bytes_ = 0;
    if (size_ > 0) {
      // The file may end mid-line (vigild restarted, or someone else wrote to it); the
      // mid-line rotation rule needs the length of that partial line. fd_ is write-only,
      // so read it through a second descriptor.
      base::UniqueFd rd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
      char tail[4096];
      uint64_t want = std::min<uint64_t>(size_, sizeof(tail));
      ssize_t n = rd.valid() ? ::pread(rd.get(), tail, want, static_cast<off_t>(size_ - want)) : -1;
      if (n > 0) {
        const void* nl = ::memrchr(tail, '\n', static_cast<size_t>(n));
        line_bytes_ = nl ? static_cast<size_t>(tail + n - static_cast<const char*>(nl) - 1)
                         : static_cast<uint64_t>(n);
      }
    }
    return true;
  }

  // Rotated files left uncompressed by a previous run (stopped before the Compressor got
  // to them, or compression just switched on) are queued again.
  void CompressLeftovers() {
    if (!spec_.compress || compressor_ == nullptr) return;
    auto files = RotatedFiles(path_);
    if (!files.has_value()) return;
    for (const auto& f : *files) {
      if (!f.gzipped) QueueCompression(f.path);
    }
  }

  // Sends the output stream (timestamps already added) to the file, rotating on the way.
  void Append(std::string_view data) {
    while (!data.empty()) {
      if (failed_) {
        Buffer(data);
        return;
      }
      bool rotate = false;
      size_t n = BytesBeforeRotation(data, &rotate);
      size_t written = WriteFully(data.substr(0, n));
      data.remove_prefix(written);
      if (written < n) continue;  // failed_ is set; the loop buffers the rest
      if (rotate) Rotate();
    }
  }

  // How many bytes of `data` go to the current file before the next rotation, and
  // whether to rotate after them. The rule: once the file holds max_bytes, rotate at the
  // next line end; but if the line in progress alone reaches max_bytes in this file,
  // cut it there, so one endless line (a progress bar, binary output) cannot grow a file
  // without bound. A file therefore stays below 2 * max_bytes.
  size_t BytesBeforeRotation(std::string_view data, bool* rotate) const {
    const uint64_t max = spec_.max_bytes;
    const size_t len = data.size();
    *rotate = false;
    if (max == 0 || rotate_blocked_) return len;
    // Already full at a line end (reopened, or max_bytes lowered): rotate first.
    if (size_ >= max && line_bytes_ == 0) {
      *rotate = true;
      return 0;
    }
    // Index of the byte with which the file reaches max bytes.
    const uint64_t start = size_ >= max ? 0 : max - size_ - 1;
    if (start >= len) return len;
    const char* d = data.data();
    const char* nl = static_cast<const char*>(std::memchr(d + start, '\n', len - start));
    // Where the line containing `start` began, and how much of it the file already has.
    const char* prev = static_cast<const char*>(::memrchr(d, '\n', start));
    const uint64_t line_begin = prev ? static_cast<uint64_t>(prev - d) + 1 : 0;
    const uint64_t prior = prev ? 0 : line_bytes_;
    // Index at which that line would exceed max bytes in this file.
    const uint64_t cut = prior >= max ? line_begin : line_begin + (max - prior);
    *rotate = true;
    if (nl != nullptr && static_cast<uint64_t>(nl - d) <= cut) return static_cast<size_t>(nl - d) + 1;
    if (cut < len) return static_cast<size_t>(cut);
    *rotate = false;
    return len;
  }

  // write(2) until done; partial writes and EINTR are normal. Returns the bytes written;
  // fewer than asked means the error state was entered.
  size_t WriteFully(std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      int err = n < 0 ? errno : ENOSPC;  // write(2) returning 0 for a regular file: no room
      Fail(base::ErrnoStatus("cannot write " + path_, err).message());
      break;
    }
    Account(data.substr(0, done));
    return done;
  }

  void Account(std::string_view written) {
    if (written.empty()) return;
    size_ += written.size();
    const void* nl = ::memrchr(written.data(), '\n', written.size());
    line_bytes_ = nl ? static_cast<uint64_t>(written.data() + written.size() -
                                             static_cast<const char*>(nl) - 1)
                     : line_bytes_ + written.size();
  }

  void Rotate() {
    if (size_ == 0) return;  // an empty file is not worth a rotated name
    auto existing = RotatedFiles(path_);
    std::vector<RotatedFile> files = existing.has_value() ? std::move(existing.value())
                                                          : std::vector<RotatedFile>{};
    fs::path target = NextRotatedName(path_, files, std::chrono::system_clock::now());
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      if (errno == ENOENT) {
        // Someone deleted the current file; what went to it since is gone with it, but
        // the stream can go on in a new file.
        fd_.reset();
        Open();
        return;
      }
      // Keep appending to the current file (nothing is lost) and try again later.
      Trouble().rotate_problem = base::ErrnoStatus("cannot rotate " + path_, errno).message();
      rotate_blocked_ = true;
      ArmRetry();
      return;
    }
    fd_.reset();
    if (Open()) backoff_ = kFirstRetry;
    if (spec_.compress && compressor_ != nullptr) {
      QueueCompression(target);  // the worker prunes after compressing
    } else {
      base::Status s = PruneRotated(path_, spec_.keep);
      if (!s.ok() || trouble_) Trouble().prune_problem = s.ok() ? "" : s.message();
    }
  }

  void QueueCompression(const fs::path& file) {
    if (!compress_outcome_) compress_outcome_ = std::make_shared<CompressOutcome>();
    compressor_->Enqueue(Compressor::Job{
        file, path_, spec_.keep, [outcome = compress_outcome_](const base::Status& s) {
          std::lock_guard lock(outcome->mu);
          outcome->problem = s.ok() ? "" : s.message();
        }});
  }

  void Fail(std::string reason) {
    if (!failed_) Trouble().failure = std::move(reason);
    failed_ = true;
    if (!problem_reported_ && listener_) {
      problem_reported_ = true;
      Report(fmt::format("{}; keeping up to {} bytes in memory and retrying", Trouble().failure, kMaxPendingBytes));
    }
    ArmRetry();
  }

  // Tells the listener on a later loop turn. Fail() runs inside Write(), with the bytes
  // being written only half accounted for; a listener that writes to a log (the event log
  // does) must not run in the middle of that. Dropped if the log goes away first.
  void Report(std::string message) {
    if (!Trouble().alive) Trouble().alive = std::make_shared<char>();
    loop_.Post([alive = std::weak_ptr<char>(Trouble().alive), &listener = listener_,
                message = std::move(message)] {
      if (!alive.expired() && listener) listener(message);
    });
  }

  // Keeps bytes while the file is unwritable. Once anything was dropped, everything is
  // dropped until recovery, so the one marker line covers one contiguous gap.
  void Buffer(std::string_view data) {
    size_t take = 0;
    if (dropped_unreported_ == 0) {
      take = std::min(data.size(), kMaxPendingBytes - std::min(kMaxPendingBytes, Trouble().pending.size()));
      Trouble().pending.append(data.data(), take);
    }
    uint64_t dropped = data.size() - take;
    if (dropped > 0 && dropped_unreported_ == 0) Trouble().drop_reason = Trouble().failure;
    dropped_unreported_ += dropped;
    dropped_total_ += dropped;
  }

  void ArmRetry() {
    if (retry_timer_) return;
    retry_timer_ = loop_.AddTimer(backoff_, [this] { OnRetryTimer(); });
  }

  void OnRetryTimer() {
    // Destroying the fired timer from its own callback is allowed (event/loop.h).
    retry_timer_.reset();
    // Grow first: a failure below re-arms through Fail() with the new delay. Success
    // (TryRecover, Rotate) resets it.
    backoff_ = std::min(backoff_ * 2, kMaxRetry);
    rotate_blocked_ = false;
    if (failed_) {
      fd_.reset();
      TryRecover();
    }
    if (failed_) ArmRetry();
  }

  // Reopens if needed, then writes the buffered bytes and the drop marker. Leaves the
  // error state set (with bytes re-buffered in order) if the file is still unwritable.
  void TryRecover() {
    bool was_failed = failed_;
    failed_ = false;
    if (!fd_.valid() && !Open()) return;
    if (!was_failed) return;
    Trouble().failure.clear();
    std::string pending = std::move(Trouble().pending);
    Trouble().pending.clear();
    uint64_t dropped = std::exchange(dropped_unreported_, 0);
    Append(pending);
    if (failed_) {
      dropped_unreported_ += dropped;
      return;
    }
    if (dropped > 0) {
      std::string marker = line_bytes_ > 0 ? "\n" : "";
      if (spec_.timestamps) marker += base::FormatIso8601(std::chrono::system_clock::now()) + " ";
      marker += "[vigil] " + std::to_string(dropped) + " bytes dropped: " + Trouble().drop_reason + "\n";
      Append(marker);
      // The program's next byte starts a fresh line after the marker.
      at_line_start_ = true;
    }
    if (!failed_) {
      backoff_ = kFirstRetry;
      if (!rotate_blocked_) retry_timer_.reset();  // healthy streams keep no timers
      if (problem_reported_ && listener_) {
        Report(fmt::format("writing {} again{}", path_,
                           dropped > 0 ? fmt::format("; {} bytes were dropped meanwhile", dropped) : ""));
      }
      problem_reported_ = false;
    }
  }

  event::Loop& loop_;
  const std::string& path_;
  const config::LogSpec& spec_;
  Compressor* const compressor_;
  const std::function<void(const std::string&)>& listener_;
  base::UniqueFd fd_;
  uint64_t size_ = 0;        // bytes in the current file
  uint64_t line_bytes_ = 0;  // bytes after the file's last '\n'
  bool at_line_start_ = true;  // the program's next byte starts a line (for timestamps)

  // Error state: the file cannot be opened or written; bytes wait in TroubleState::pending.
  bool failed_ = false;

  uint64_t dropped_unreported_ = 0;  // dropped since the last marker line
  uint64_t dropped_total_ = 0;
  // Rotation failed (rename refused): writing continues to the current file.
  bool rotate_blocked_ = false;
  // Details of what went wrong, allocated only for a stream that ever had trouble.
  struct TroubleState {
    std::string failure;
    std::string pending;  // bytes kept while the file is unwritable
    std::string drop_reason;
    std::string rotate_problem;
    std::string prune_problem;
    std::shared_ptr<char> alive;  // guards problem reports queued on the loop
  };
  std::unique_ptr<TroubleState> trouble_;
  TroubleState& Trouble() {
    if (!trouble_) trouble_ = std::make_unique<TroubleState>();
    return *trouble_;
  }
  base::Duration backoff_ = kFirstRetry;
  event::HandlePtr retry_timer_;  // armed only while something is wrong
  bool problem_reported_ = false;  // the listener heard of the current write failure

  // Both created on first use: most streams are never followed, many never compressed.
  std::shared_ptr<SubscriberList> subscribers_;
  std::shared_ptr<CompressOutcome> compress_outcome_;
};

LogFile::LogFile(event::Loop& loop, fs::path path, config::LogSpec spec, Compressor* compressor)
    : loop_(loop), path_(std::move(path).string()), spec_(spec), compressor_(compressor) {
  // Rotated files left uncompressed by an earlier run are queued at once, not at the
  // first byte, which may never come.
  if (spec_.compress && compressor_ != nullptr) Opened();
}
LogFile::~LogFile() = default;  // ~Impl ends the followers

LogFile::Impl& LogFile::Opened() {
  if (!impl_) impl_ = std::make_unique<Impl>(loop_, path_, spec_, compressor_, listener_);
  return *impl_;
}

void LogFile::Write(std::string_view bytes) {
  if (bytes.empty()) return;
  lines_written_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  Opened().Write(bytes);
}
void LogFile::Reopen() {
  if (impl_) impl_->Reopen();  // nothing open, nothing to reopen
}
void LogFile::RotateNow() { Opened().RotateNow(); }
void LogFile::SetSpec(const config::LogSpec& spec) {
  spec_ = spec;
  if (impl_) impl_->SpecChanged();
}
void LogFile::SetProblemListener(std::function<void(const std::string&)> fn) { listener_ = std::move(fn); }
event::HandlePtr LogFile::Subscribe(std::function<void(std::string_view)> on_data,
                                    std::function<void(std::string_view)> on_end) {
  return Opened().Subscribe(std::move(on_data), std::move(on_end));
}
void LogFile::EndFollowers(const std::string& reason) {
  if (impl_) impl_->EndFollowers(reason);
}
fs::path LogFile::path() const { return path_; }
std::string LogFile::problem() const { return impl_ ? impl_->problem() : std::string(); }
uint64_t LogFile::dropped_bytes() const { return impl_ ? impl_->dropped_bytes() : 0; }

}  // namespace vigil::logs
