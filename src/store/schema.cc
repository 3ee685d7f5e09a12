// SPDX-License-Identifier: MIT
// Migrations as ordered SQL scripts, and the start-up repairs. SQLiteCpp throws; every
// function here catches and returns a Status.
#include "store/schema.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <iterator>
#include <string>

#include "store/unix_ms.h"

namespace vigil::store {
namespace {

// kMigrations[i] moves the schema from version i to i + 1. Append only: a released
// migration is never edited, because databases in the field already ran it.
// Every table is STRICT and every time is integer Unix milliseconds.
const char* const kMigrations[] = {
    // 1: the history.
    R"sql(
CREATE TABLE programs (
  name TEXT PRIMARY KEY,
  want_up INTEGER NOT NULL,
  config_hash TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE lifetimes (
  id INTEGER PRIMARY KEY,
  program TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  exit_status TEXT,
  reason TEXT
) STRICT;
CREATE INDEX lifetimes_by_program ON lifetimes(program, started_ms);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_by_time ON events(time_ms);
CREATE INDEX events_by_subject ON events(subject, id);
CREATE INDEX events_by_type ON events(type, id);
CREATE TABLE task_runs (
  id INTEGER PRIMARY KEY,
  task TEXT NOT NULL,
  trigger TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  exit_code INTEGER,
  signal INTEGER,
  timed_out INTEGER NOT NULL DEFAULT 0,
  interrupted INTEGER NOT NULL DEFAULT 0,
  output_tail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX task_runs_by_task ON task_runs(task, id);
CREATE TABLE tasks (
  name TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL
) STRICT;
)sql",
    // 2: ids stay unique after retention empties a table. Ids are handed out from MAX(id)
    // at start-up, so without this a fully pruned table would hand out 1 again, and a run id
    // would name an old run's kept output file.
    R"sql(
CREATE TABLE pruned_ids (
  table_name TEXT PRIMARY KEY,
  max_id INTEGER NOT NULL
) STRICT;
)sql",
    // 3: the findings journal (docs/health.md): what vigil noticed and did, in words.
    // `rank` orders severities (0 info, 1 warn, 2 crit) for "--severity warn".
    R"sql(
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  severity TEXT NOT NULL,
  rank INTEGER NOT NULL,
  category TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  raise_id INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX findings_by_time ON findings(time_ms);
)sql",
    // 4: the alert outbox (docs/alerts.md): every notification is written here before it
    // is sent, so a receiver that is down, or a vigild restart, delays it but never loses it.
    R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  notification TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX outbox_by_state ON outbox(state, id);
)sql",
    // 5: metric history as rollups (docs/store.md): one row per metric, bucket size and
    // bucket start, with the count, sum and maximum of the samples in it; and how long a
    // `when_idle` task run waited for the machine to be idle.
    R"sql(
CREATE TABLE metrics (
  name TEXT NOT NULL,
  step_s INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  max REAL NOT NULL,
  PRIMARY KEY (name, step_s, time_ms)
) STRICT, WITHOUT ROWID;
ALTER TABLE task_runs ADD COLUMN deferred_ms INTEGER NOT NULL DEFAULT 0;
)sql",
};

constexpr int kLatestVersion = static_cast<int>(std::size(kMigrations));

int64_t NextIdOf(SQLite::Database& db, const char* table) {
  SQLite::Statement q(db, fmt::format("SELECT MAX(COALESCE((SELECT MAX(id) FROM {0}), 0), "
                                      "COALESCE((SELECT max_id FROM pruned_ids WHERE table_name = '{0}'), 0))",
                                      table));
  q.executeStep();
  return q.getColumn(0).getInt64() + 1;
}

}  // namespace

int LatestSchemaVersion() { return kLatestVersion; }

base::Status Migrate(SQLite::Database& db) {
  try {
    const int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > kLatestVersion) {
      return base::Status::IoError(
          fmt::format("the database has schema version {}, newer than this vigild's {}; it was written by a newer "
                      "vigild, which is needed to read it",
                      version, kLatestVersion));
    }
    for (int v = version; v < kLatestVersion; ++v) {
      SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(kMigrations[v]);
      db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
      txn.commit();
    }
    return base::Status::Ok();
  } catch (const std::exception& e) {
    return base::Status::IoError(e.what());
  }
}

base::Status CloseLeftOpen(SQLite::Database& db, base::WallTime now) {
  try {
    SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec("UPDATE task_runs SET interrupted = 1 WHERE ended_ms IS NULL AND interrupted = 0");
    SQLite::Statement q(db,
                        "UPDATE lifetimes SET ended_ms = ?, reason = 'vigild stopped unexpectedly' "
                        "WHERE ended_ms IS NULL");
    q.bind(1, ToUnixMs(now));
    q.exec();
    txn.commit();
    return base::Status::Ok();
  } catch (const std::exception& e) {
    return base::Status::IoError(e.what());
  }
}

base::Result<NextIds> ReadNextIds(SQLite::Database& db) {
  try {
    NextIds ids;
    ids.event = NextIdOf(db, "events");
    ids.lifetime = NextIdOf(db, "lifetimes");
    ids.run = NextIdOf(db, "task_runs");
    ids.finding = NextIdOf(db, "findings");
    ids.outbox = NextIdOf(db, "outbox");
    return ids;
  } catch (const std::exception& e) {
    return base::Status::IoError(e.what());
  }
}

}  // namespace vigil::store
