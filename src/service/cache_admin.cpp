#include "service/cache_admin.hpp"

#include <fmt/format.h>

#include "cache/keys.hpp"
#include "db/home_repository.hpp"
#include "service/json_writer.hpp"

namespace rota::service {

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", bytes) : fmt::format("{:.2f}{}", v, units[u]);
}

std::string WarmReport::Json() const {
  JsonWriter w;
  w.BeginObject();
  w.Field("warmed_keys", warmed_keys);
  w.Key("homes");
  w.BeginArray();
  for (const auto& h : homes) w.Value(h.id);
  w.EndArray();
  w.EndObject();
  return std::move(w).Take();
}

std::string CacheAdmin::StatsJson() {
  cache::CacheStats s = cache_.Stats();
  // Hits and misses of requests (one per cacheable read that used the cache),
  // not of backend lookups, which include internal re-checks.
  auto by_prefix = reads_.PrefixCounts();
  int64_t hits = 0, misses = 0;
  for (const auto& [prefix, c] : by_prefix) {
    hits += c.hits;
    misses += c.misses;
  }
  int64_t lookups = hits + misses;
  // Percent with one decimal, rounded half up, as coverage_pct is.
  double hit_rate = lookups ? static_cast<double>((2000 * hits + lookups) / (2 * lookups)) / 10 : 0.0;
  const int64_t used = s.used_memory.value_or(s.bytes);
  JsonWriter w;
  w.BeginObject();
  w.Field("backend", s.backend);
  w.Field("total_keys", s.keys);
  w.Field("used_memory_bytes", used);
  w.Field("used_memory_human", HumanBytes(used));
  w.Field("hits", hits);
  w.Field("misses", misses);
  w.Field("hit_rate", hit_rate);
  w.Field("connected_clients", s.connected_clients);
  w.Field("evictions", s.evictions);
  w.Field("sets", s.sets);
  w.Field("expirations", s.expirations);
  w.Field("cached_bytes", s.bytes);
  w.Field("health", s.health);
  w.Key("by_prefix");
  w.BeginObject();
  for (const auto& [prefix, counts] : by_prefix) {
    w.Key(prefix);
    w.BeginObject();
    w.Field("hits", counts.hits);
    w.Field("misses", counts.misses);
    w.EndObject();
  }
  w.EndObject();
  if (s.near_connected) {  // redis:// with the near tier
    w.Key("near");
    w.BeginObject();
    w.Field("connected", *s.near_connected);
    w.Field("hits", s.near_hits.value_or(0));
    w.Field("misses", s.near_misses.value_or(0));
    w.Field("keys", s.near_keys.value_or(0));
    w.EndObject();
  }
  // The last hour at a fixed resolution: hits[i] and misses[i] of the slot
  // starting at start + i * slot_seconds (unix seconds), oldest first.
  auto history = reads_.history().Last();
  w.Key("history");
  w.BeginObject();
  w.Field("slot_seconds", static_cast<int64_t>(CacheHistory::kSlot.count()));
  w.Field("start", history.empty() ? int64_t{0} : int64_t{history.front().start_unix});
  w.Key("hits");
  w.BeginArray();
  for (const auto& p : history) w.Value(p.hits);
  w.EndArray();
  w.Key("misses");
  w.BeginArray();
  for (const auto& p : history) w.Value(p.misses);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return std::move(w).Take();
}

void CacheAdmin::AddWarmer(Warmer warmer) {
  MutexLock lock(mu_);
  warmers_.push_back(std::move(warmer));
}

Result<int64_t> CacheAdmin::Clear(std::optional<std::string_view> pattern) {
  std::string_view glob = pattern.value_or("*");
  if (!cache::ValidPattern(glob))
    return Error::Invalid("pattern must be 1..128 characters of A-Z a-z 0-9 : _ . * -", "pattern");
  return cache_.DeletePattern(glob);
}

Result<std::vector<WarmedHome>> CacheAdmin::Homes(std::optional<int64_t> only) {
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  return db::ListHomes(**conn, only);
}

std::vector<CacheAdmin::Warmer> CacheAdmin::Warmers() {
  MutexLock lock(mu_);
  return warmers_;
}

Result<WarmReport> CacheAdmin::Warm(std::optional<int64_t> home,
                                    const std::function<void(const WarmedHome&)>& on_home) {
  WarmReport report;
  auto homes = Homes(home);
  if (!homes) return std::move(homes).error();
  report.homes = std::move(*homes);
  if (home && report.homes.empty()) return Error::NotFound(fmt::format("home {} does not exist", *home));
  Date today = today_();
  YearMonth month{today.year(), today.month()};
  auto count = [&](const Result<CachedAnswer>& a) -> Status {
    if (!a) return a.error();
    if (a->outcome != CacheOutcome::kBypass) ++report.warmed_keys;
    return Status::Ok();
  };
  for (const auto& h : report.homes) {
    for (int days : {7, 14}) ROTA_TRY(count(reads_.Dashboard(h.id, {today, today.AddDays(days - 1)}, false)));
    ROTA_TRY(count(reads_.MonthlyReport(h.id, month, false)));
    for (const auto& warmer : Warmers()) ROTA_TRY(count(warmer(h.id, today)));
    if (on_home) on_home(h);
  }
  ROTA_TRY(count(reads_.Stats(today, false)));
  ROTA_TRY(count(reads_.Homes(std::nullopt, today, false)));  // an administrator's GET /api/homes
  return report;
}

}  // namespace rota::service
