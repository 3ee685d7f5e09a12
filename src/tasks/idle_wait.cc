// SPDX-License-Identifier: MIT
// IdleWait: a check now, then one every check_every (or at max_wait, if sooner).
#include "tasks/idle_wait.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::tasks {

bool IdleEnough(const config::WhenIdleSpec& spec, const IdleReading& reading, std::string* why) {
  if (!reading.error.empty()) {
    *why = "cannot read the machine's figures: " + reading.error;
    return false;
  }
  std::string out;
  auto add = [&out](const std::string& text) { out += (out.empty() ? "" : ", ") + text; };
  if (spec.cpu_below_percent) {
    if (!reading.cpu_busy_percent) {
      add("CPU use not measured yet");
    } else if (*reading.cpu_busy_percent >= *spec.cpu_below_percent) {
      add(fmt::format("CPU {:.0f}% (needs below {:g}%)", *reading.cpu_busy_percent, *spec.cpu_below_percent));
    }
  }
  if (spec.load_below && reading.load_per_cpu >= *spec.load_below) {
    add(fmt::format("load {:.2f} per CPU (needs below {:g})", reading.load_per_cpu, *spec.load_below));
  }
  *why = out;
  return out.empty();
}

IdleWait::IdleWait(event::Clock& clock, const config::WhenIdleSpec& spec, std::unique_ptr<IdleMeter> meter,
                   base::WallTime since)
    : clock_(clock), spec_(spec), meter_(std::move(meter)), since_(since) {}

IdleWait::~IdleWait() = default;

std::optional<IdleWait::End> IdleWait::Begin(std::function<void(End)> done) {
  done_ = std::move(done);
  std::optional<End> end = Check();
  if (!end) Arm();
  return end;
}

std::optional<IdleWait::End> IdleWait::Check() {
  IdleReading reading;
  if (meter_) {
    reading = meter_->Read();
  } else {
    reading.error = "no meter";
  }
  if (IdleEnough(spec_, reading, &last_reason_)) return End::kIdle;
  if (clock_.Now() >= since_ + spec_.max_wait) return End::kMaxWait;
  return std::nullopt;
}

void IdleWait::Arm() {
  // The next check, or the end of max_wait if that comes first, so a skip is on time.
  const base::Duration left = std::chrono::ceil<base::Duration>(since_ + spec_.max_wait - clock_.Now());
  timer_ = clock_.AddTimer(std::clamp(left, base::Duration(0), spec_.check_every), [this] {
    std::optional<End> end = Check();
    if (!end) return Arm();
    // `done` may destroy this object: nothing of it is touched after the call.
    std::function<void(End)> done = std::move(done_);
    done(*end);
  });
}

}  // namespace vigil::tasks
