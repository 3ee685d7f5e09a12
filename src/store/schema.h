// SPDX-License-Identifier: MIT
// The history database's schema: migrations and the start-up repairs (docs/store.md).
// Called by Store::Open on the loop thread before the writer thread starts.
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "base/status.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

// The schema version this build writes (PRAGMA user_version once migrated).
int LatestSchemaVersion();

// Runs the migrations from the file's PRAGMA user_version up to LatestSchemaVersion(), each
// in one transaction with its version bump, so a crash leaves a whole version. Fails with
// SQLite's message, or if the file was written by a newer vigild: this build does not know
// that schema and could damage it.
base::Status Migrate(SQLite::Database& db);

// A vigild killed with -9 leaves task runs and process lifetimes open. Marks those runs
// interrupted (ended stays NULL: when they stopped is unknown) and ends those lifetimes at
// `now` with reason "vigild stopped unexpectedly".
base::Status CloseLeftOpen(SQLite::Database& db, base::WallTime now);

// The first id each table should hand out: past every id the table holds and every id
// retention ever deleted from it, so an id never names two rows.
struct NextIds {
  int64_t event = 1;
  int64_t lifetime = 1;
  int64_t run = 1;
  int64_t finding = 1;
  int64_t outbox = 1;
};
base::Result<NextIds> ReadNextIds(SQLite::Database& db);

}  // namespace vigil::store
