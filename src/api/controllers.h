// SPDX-License-Identifier: MIT
// api::Controllers: the controllers the router talks to, one per concern, so that each
// part of vigild (and each test) provides and depends on only what it uses.
// Thread rule: as the controllers', loop thread only.
#pragma once

#include <concepts>

#include "api/config_controller.h"
#include "api/daemon_controller.h"
#include "api/event_controller.h"
#include "api/health_controller.h"
#include "api/program_controller.h"
#include "api/task_controller.h"

namespace vigil::api {

struct Controllers {
  DaemonController& daemon;
  ProgramController& programs;
  TaskController& tasks;
  EventController& events;
  HealthController& health;
  ConfigController& config;

  Controllers(DaemonController& d, ProgramController& p, TaskController& t, EventController& e,
              HealthController& h, ConfigController& c)
      : daemon(d), programs(p), tasks(t), events(e), health(h), config(c) {}
  // One object that plays every part (a test's fake).
  template <typename All>
    requires std::derived_from<All, DaemonController> && std::derived_from<All, ProgramController> &&
             std::derived_from<All, TaskController> && std::derived_from<All, EventController> &&
             std::derived_from<All, HealthController> && std::derived_from<All, ConfigController>
  Controllers(All& all)  // NOLINT: implicit, so a fake passes where Controllers are wanted
      : daemon(all), programs(all), tasks(all), events(all), health(all), config(all) {}
};

}  // namespace vigil::api
