// Announcements a write owes the shared cache, kept in the database until made
// (issue 14 item 6; the table and its statements: db/outbox.hpp).
//
// With a cache shared by several servers (redis://), the writes' ChangeSink is
// this class in front of CachedReads:
//   - Prepare, inside the write's transaction: records the ChangeSet in
//     cache_outbox, so the row exists exactly when the write commits;
//   - Committed, after COMMIT: announces it (CachedReads increments the
//     counters) and, if the announcement was delivered, remembers the row as
//     settled; a row whose announcement the cache owes (Redis unreachable) stays
//     until a replay delivers it, so that it survives this server's crash;
//   - a background sweep (every kSweep) deletes the settled rows in one
//     transaction, and replays — announces, then deletes — every row older
//     than kOwedAfter: a server that committed it died before announcing it
//     (SIGKILL, power, OOM). Replaying a row that was in fact announced costs
//     one miss per answer it retires, nothing stale.
//   - ReplayAll, at `rota serve` start: replays every row at once, so the
//     process that restarts after a crash retires what it owed before serving;
//   - Owed, for the cache's probe after an outage (App wires it with
//     Cache::SetOwedElsewhere): the first server to find Redis back increments
//     what every server still owes before it reads the cache again, so a write
//     that another server took during the outage, and could not announce, is
//     not hidden behind values cached before it.
// So a crash between a commit and its announcement leaves stale answers on the
// other servers for at most kOwedAfter + kSweep, and retires only the homes and
// families concerned (no global flush: the other servers' hit rate is unchanged
// by a restart).
//
// With memory:// there is nothing to owe (the cache dies with the process) and
// App does not use this class. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "base/mutex.hpp"
#include "base/status.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "service/changes.hpp"

namespace rota::service {

class OwedInvalidations final : public ChangeSink {
 public:
  static constexpr std::chrono::seconds kSweep{1};
  static constexpr std::chrono::seconds kOwedAfter{2};

  // `next` announces (CachedReads). The sweep starts with StartSweeping.
  OwedInvalidations(db::Pool& pool, ChangeSink& next) : pool_(pool), next_(next) {}
  ~OwedInvalidations() override;

  Status Prepare(db::Connection& c, ChangeSet& changes) override;
  // Announces; the row is settled only if the announcement was delivered.
  bool Committed(const ChangeSet& changes) override;

  // Every row still owed, by any server (for the cache's probe: Cache::SetOwedElsewhere).
  Result<std::vector<ChangeSet>> Owed();
  // Replays every owed row (at start). Returns how many were announced.
  Result<int64_t> ReplayAll();
  // One sweep now: settles, then replays rows older than kOwedAfter. Returns rows announced.
  Result<int64_t> Sweep();
  void StartSweeping();

 private:
  Result<std::vector<db::OwedInvalidation>> Load(const std::string& before_timestamp);
  Result<int64_t> Replay(const std::string& before_timestamp);
  Status Settle() EXCLUDES(mu_);

  db::Pool& pool_;
  ChangeSink& next_;
  Mutex mu_;
  std::vector<int64_t> settled_ GUARDED_BY(mu_);  // announced, not yet deleted
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mu_;  // only for wake_
  std::condition_variable wake_;
  std::thread sweeper_;
};

}  // namespace rota::service
