#include "service/cache_admin.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cache/keys.hpp"

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
  std::string ids;
  for (const auto& h : homes) ids += (ids.empty() ? "" : ",") + std::to_string(h.id);
  return fmt::format(R"({{"warmed_keys":{},"homes":[{}]}})", warmed_keys, ids);
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
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("backend");
  w.String(s.backend.c_str());
  w.Key("total_keys");
  w.Int64(s.keys);
  int64_t used = s.used_memory.value_or(s.bytes);
  w.Key("used_memory_bytes");
  w.Int64(used);
  w.Key("used_memory_human");
  w.String(HumanBytes(used).c_str());
  w.Key("hits");
  w.Int64(hits);
  w.Key("misses");
  w.Int64(misses);
  w.Key("hit_rate");
  w.Double(hit_rate);
  w.Key("connected_clients");
  if (s.connected_clients) w.Int64(*s.connected_clients); else w.Null();
  w.Key("evictions");
  w.Int64(s.evictions);
  w.Key("sets");
  w.Int64(s.sets);
  w.Key("expirations");
  w.Int64(s.expirations);
  w.Key("cached_bytes");
  w.Int64(s.bytes);
  w.Key("health");
  w.String(s.health.c_str());
  w.Key("by_prefix");
  w.StartObject();
  for (const auto& [prefix, counts] : by_prefix) {
    w.Key(prefix.data(), static_cast<rapidjson::SizeType>(prefix.size()));
    w.StartObject();
    w.Key("hits");
    w.Int64(counts.hits);
    w.Key("misses");
    w.Int64(counts.misses);
    w.EndObject();
  }
  w.EndObject();
  if (s.near_connected) {  // redis:// with the near tier
    w.Key("near");
    w.StartObject();
    w.Key("connected");
    w.Bool(*s.near_connected);
    w.Key("hits");
    w.Int64(s.near_hits.value_or(0));
    w.Key("misses");
    w.Int64(s.near_misses.value_or(0));
    w.Key("keys");
    w.Int64(s.near_keys.value_or(0));
    w.EndObject();
  }
  // The last hour at a fixed resolution: hits[i] and misses[i] of the slot
  // starting at start + i * slot_seconds (unix seconds), oldest first.
  auto history = reads_.history().Last();
  w.Key("history");
  w.StartObject();
  w.Key("slot_seconds");
  w.Int64(CacheHistory::kSlot.count());
  w.Key("start");
  w.Int64(history.empty() ? 0 : history.front().start_unix);
  w.Key("hits");
  w.StartArray();
  for (const auto& p : history) w.Int64(p.hits);
  w.EndArray();
  w.Key("misses");
  w.StartArray();
  for (const auto& p : history) w.Int64(p.misses);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return buf.GetString();
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
  std::vector<WarmedHome> homes;
  auto conn = pool_.Acquire();
  if (!conn) return std::move(conn).error();
  ROTA_TRY((*conn)->Query("SELECT id, name FROM care_home WHERE ? = 0 OR id = ? ORDER BY id",
                          {only.value_or(0), only.value_or(0)},
                          [&](const db::Row& r) { homes.push_back({r.Int(0), std::string(r.Text(1))}); }));
  return homes;
}

Result<int64_t> CacheAdmin::InvalidateAll() {
  auto homes = Homes();
  if (!homes) return std::move(homes).error();
  ChangeSet all;
  for (const auto& h : *homes) all.Add(h.id, kAllFamilies);
  reads_.Committed(all);
  return static_cast<int64_t>(homes->size());
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
