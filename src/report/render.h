// SPDX-License-Identifier: MIT
// A health report as people read it (text: what `vigil report` prints, what is saved
// under state_dir/reports/ and sent by email) and as programs read it (JSON: the API's
// `report` object, docs/api.md#health-report). Times are in UTC.
#pragma once

#include <string>

#include "report/report.h"

namespace vigil::report {

std::string RenderText(const Report& report);
// One JSON object, as text.
std::string RenderJson(const Report& report);
// "vigil report for web1, 2026-11-24 09:00 to 2026-12-01 09:00 UTC": the title of the
// text and of a notification.
std::string Title(const Report& report);

}  // namespace vigil::report
