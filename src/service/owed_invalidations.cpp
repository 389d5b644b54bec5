#include "service/owed_invalidations.hpp"

#include <spdlog/spdlog.h>

#include "base/date.hpp"
#include "db/outbox.hpp"

namespace rota::service {

OwedInvalidations::~OwedInvalidations() {
  {
    std::lock_guard lock(sleep_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  (void)Settle();  // what is left stays owed, and is replayed: harmless
}

Status OwedInvalidations::Prepare(db::Connection& c, ChangeSet& changes) {
  if (changes.empty() || changes.families == 0) return Status::Ok();
  ROTA_ASSIGN(changes.owed, db::RecordOwed(c, changes.homes, changes.families, NowTimestamp()));
  return Status::Ok();
}

bool OwedInvalidations::Committed(const ChangeSet& changes) {
  if (!next_.Committed(changes)) return false;  // owed: the row stays, for whoever reaches Redis first
  if (changes.owed == 0) return true;
  MutexLock lock(mu_);
  settled_.push_back(changes.owed);
  return true;
}

Status OwedInvalidations::Settle() {
  std::vector<int64_t> ids;
  {
    MutexLock lock(mu_);
    ids.swap(settled_);
  }
  if (ids.empty()) return Status::Ok();
  auto lease = pool_.Acquire();
  Status s = lease ? db::SettleOwed(**lease, ids) : Status(std::move(lease).error());
  if (!s) {  // try again next sweep
    MutexLock lock(mu_);
    settled_.insert(settled_.end(), ids.begin(), ids.end());
  }
  return s;
}

Result<std::vector<db::OwedInvalidation>> OwedInvalidations::Load(const std::string& before_timestamp) {
  auto lease = pool_.Acquire();
  if (!lease) return std::move(lease).error();
  return db::LoadOwed(**lease, before_timestamp);
}

Result<std::vector<ChangeSet>> OwedInvalidations::Owed() {
  std::vector<db::OwedInvalidation> owed;
  ROTA_ASSIGN(owed, Load(""));
  std::vector<ChangeSet> out(owed.size());
  for (size_t i = 0; i < owed.size(); ++i) {
    out[i].homes = std::move(owed[i].homes);
    out[i].families = owed[i].families;
  }
  return out;
}

// The connection goes back to the pool while announcing: an announcement may
// wait for Redis, and a probe of the cache may read the outbox (Owed).
Result<int64_t> OwedInvalidations::Replay(const std::string& before_timestamp) {
  std::vector<db::OwedInvalidation> owed;
  ROTA_ASSIGN(owed, Load(before_timestamp));
  std::vector<int64_t> ids;
  for (const auto& o : owed) {
    ChangeSet changes;
    changes.homes = o.homes;
    changes.families = o.families;
    // Announce first: a crash here leaves the row owed. One that is not
    // delivered ends this replay: the cache is unreachable (each attempt may
    // probe it), and the rest stay owed for the next sweep.
    if (!next_.Committed(changes)) break;
    ids.push_back(o.id);
  }
  if (!ids.empty()) {
    auto lease = pool_.Acquire();
    if (!lease) return std::move(lease).error();
    ROTA_TRY(db::SettleOwed(**lease, ids));
    spdlog::warn(
        "cache: replayed {} invalidations owed by a server that stopped, or could not reach the cache, between a "
        "commit and its announcement",
        ids.size());
  }
  return static_cast<int64_t>(ids.size());
}

Result<int64_t> OwedInvalidations::ReplayAll() { return Replay(""); }

Result<int64_t> OwedInvalidations::Sweep() {
  ROTA_TRY(Settle());
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return Replay(FormatTimestamp(now - kOwedAfter.count()));
}

void OwedInvalidations::StartSweeping() {
  sweeper_ = std::thread([this] {
    for (;;) {
      {
        std::unique_lock lock(sleep_mu_);
        if (wake_.wait_for(lock, kSweep, [this] { return stopping_.load(); })) return;
      }
      auto r = Sweep();
      if (!r) spdlog::warn("cache: the sweep of owed invalidations failed: {}", r.error().message);
    }
  });
}

}  // namespace rota::service
