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

void OwedInvalidations::Committed(const ChangeSet& changes) {
  next_.Committed(changes);
  if (changes.owed == 0) return;
  MutexLock lock(mu_);
  settled_.push_back(changes.owed);
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

Result<int64_t> OwedInvalidations::Replay(const std::string& before_timestamp) {
  auto lease = pool_.Acquire();
  if (!lease) return std::move(lease).error();
  std::vector<db::OwedInvalidation> owed;
  ROTA_ASSIGN(owed, db::LoadOwed(**lease, before_timestamp));
  std::vector<int64_t> ids;
  for (const auto& o : owed) {
    ChangeSet changes;
    changes.homes = o.homes;
    changes.families = o.families;
    next_.Committed(changes);  // announce first: a crash here leaves the row owed
    ids.push_back(o.id);
  }
  ROTA_TRY(db::SettleOwed(**lease, ids));
  if (!owed.empty())
    spdlog::warn(
        "cache: replayed {} invalidations owed by a server that stopped between a commit and its "
        "announcement",
        owed.size());
  return static_cast<int64_t>(owed.size());
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
