#include "http/metrics.hpp"

#include <fmt/format.h>

#include "service/app.hpp"

namespace rota::http {
namespace {

// The methods an unmatched request is labelled with; anything else is "other".
constexpr std::array<std::string_view, 8> kUnmatchedMethods = {"GET",   "HEAD",   "POST",    "PUT",
                                                               "PATCH", "DELETE", "OPTIONS", "other"};

constexpr const char* kRequests = "rota_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests answered, by route pattern, method and status code";
constexpr const char* kDuration = "rota_http_request_duration_seconds";
constexpr const char* kDurationHelp =
    "Time from reading an HTTP request to having written its response, in seconds, by route pattern, method and "
    "status code";
constexpr const char* kStatements = "rota_http_request_statements_total";
constexpr const char* kStatementsHelp =
    "SQL statements executed while handling HTTP requests (the sum of X-Query-Count), by route pattern, method and "
    "status code";
const std::vector<std::string> kHttpLabels = {"route", "method", "code"};

#ifdef ROTA_VERSION
constexpr const char* kVersion = ROTA_VERSION;
#else
constexpr const char* kVersion = "dev";
#endif
#if defined(__clang__)
constexpr const char* kCompiler = "clang " __clang_version__;
#elif defined(__GNUC__)
constexpr const char* kCompiler = "gcc " __VERSION__;
#else
constexpr const char* kCompiler = "unknown";
#endif

}  // namespace

HttpMetrics::HttpMetrics(metrics::Registry& registry, const std::vector<Router::RouteInfo>& routes)
    : registry_(registry) {
  for (const auto& r : routes) {
    Route& slot = routes_.emplace_back();
    slot.method = r.method;
    slot.pattern = r.pattern;
  }
  first_unmatched_ = routes_.size();
  for (std::string_view m : kUnmatchedMethods) {
    Route& slot = routes_.emplace_back();
    slot.method = std::string(m);
    slot.pattern = "unmatched";
  }
}

size_t HttpMetrics::RouteSlot(int route, std::string_view method) const {
  if (route >= 0 && static_cast<size_t>(route) < first_unmatched_) return static_cast<size_t>(route);
  size_t m = 0;
  while (m + 1 < kUnmatchedMethods.size() && kUnmatchedMethods[m] != method) ++m;
  return first_unmatched_ + m;
}

const HttpMetrics::Series& HttpMetrics::Find(size_t route, int status) {
  const Route& r = routes_[route];
  for (const auto& slot : r.slots) {
    const Series* s = slot.load(std::memory_order_acquire);
    if (!s) break;
    if (s->status == status) return *s;
  }
  return Make(route, status);
}

// The first time `status` is seen on `route`: resolve its series (under mu_,
// which also keeps two threads from filling one slot) and publish it.
const HttpMetrics::Series& HttpMetrics::Make(size_t route, int status) {
  MutexLock lock(mu_);
  Route& r = routes_[route];
  size_t free = kSlots;
  for (size_t i = 0; i < kSlots; ++i) {
    const Series* s = r.slots[i].load(std::memory_order_acquire);
    if (!s) {
      free = i;
      break;
    }
    if (s->status == status) return *s;
  }
  if (free == kSlots)
    if (auto it = overflow_.find({route, status}); it != overflow_.end()) return *it->second;
  std::vector<std::string> labels = {r.pattern, r.method, std::to_string(status)};
  Series& s = made_.emplace_back(
      Series{status, &registry_.GetCounter(kRequests, kRequestsHelp, kHttpLabels, labels),
             &registry_.GetHistogram(kDuration, kDurationHelp, kHttpLabels, labels, metrics::LatencyBuckets()),
             &registry_.GetCounter(kStatements, kStatementsHelp, kHttpLabels, labels)});
  if (free < kSlots)
    r.slots[free].store(&s, std::memory_order_release);
  else
    overflow_[{route, status}] = &s;
  return s;
}

void HttpMetrics::Observe(int route, std::string_view method, int status, std::chrono::nanoseconds elapsed,
                          uint64_t statements) {
  const Series& s = Find(RouteSlot(route, method), status);
  s.requests->Inc();
  s.duration->ObserveDuration(elapsed);
  if (statements) s.statements->Inc(statements);
}

std::string MetricsText(service::App& app) {
  using metrics::Labels;
  metrics::TextWriter w;
  metrics::DefaultRegistry().Write(w);  // rota_http_*, rota_db_statement*

  const service::EngineFigures figures = app.Figures();
  const std::string_view dialect = figures.dialect;
  w.Family("rota_db_pool_connections_max", "Connections the database pool may hold ([database] pool_size)", "gauge");
  w.Sample("rota_db_pool_connections_max", {{"dialect", dialect}}, figures.pool_size);
  w.Family("rota_db_pool_connections_in_use", "Database connections leased out of the pool now", "gauge");
  w.Sample("rota_db_pool_connections_in_use", {{"dialect", dialect}}, figures.pool_in_use);

  // The cache's own figures. The aliases of [cache.aliases] (default,
  // dashboard, template_fragments, static_data) are timeouts over one cache
  // object (service/app.cpp), not separate caches, so these series carry
  // alias="default"; rota_cache_alias_ttl_seconds lists the aliases.
  const auto& s = figures.cache;
  const Labels backend = {{"backend", s.backend}};
  const Labels cl = {{"backend", s.backend}, {"alias", "default"}};
  w.Family("rota_cache_up", "1 when the cache backend answers (health ok), 0 when degraded", "gauge");
  w.Sample("rota_cache_up", backend, int64_t{s.health == "ok" ? 1 : 0});
  auto counter = [&](const char* name, const char* help, int64_t v) {
    w.Family(name, help, "counter");
    w.Sample(name, cl, v);
  };
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    w.Family(name, help, "gauge");
    w.Sample(name, cl, v);
  };
  counter("rota_cache_hits_total", "Cache lookups (Get) that found a live value, counted by this process", s.hits);
  counter("rota_cache_misses_total", "Cache lookups (Get) that found nothing, counted by this process", s.misses);
  counter("rota_cache_sets_total", "Values stored in the cache (Set), counted by this process", s.sets);
  counter("rota_cache_evictions_total",
          "Values evicted to respect a bound (memory: this cache; redis: server-wide INFO evicted_keys)", s.evictions);
  counter("rota_cache_expirations_total",
          "Values removed because their TTL passed (memory: this cache; redis: server-wide INFO expired_keys)",
          s.expirations);
  gauge("rota_cache_keys", "Live cached values now (redis: a SCAN of this deployment's key prefix)", s.keys);
  gauge("rota_cache_bytes", "Bytes of keys plus values of the live cached values now", s.bytes);
  gauge("rota_cache_generation_counters", "Generation counters (one per home written, plus the global one)",
        s.counters);
  if (s.used_memory && s.backend != "memory")
    gauge("rota_cache_server_used_memory_bytes", "Memory the cache server uses (redis: INFO used_memory)",
          *s.used_memory);
  if (s.connected_clients)
    gauge("rota_cache_server_connected_clients", "Clients connected to the cache server (redis: INFO)",
          *s.connected_clients);
  if (s.near_connected) {
    counter("rota_cache_near_hits_total", "Lookups the in-process near tier answered without Redis",
            s.near_hits.value_or(0));
    counter("rota_cache_near_misses_total", "Lookups the in-process near tier passed on to Redis",
            s.near_misses.value_or(0));
    gauge("rota_cache_near_keys", "Values the in-process near tier holds now", s.near_keys.value_or(0));
    gauge("rota_cache_near_connected", "1 while the near tier's invalidation channel is subscribed",
          *s.near_connected ? 1 : 0);
  }
  w.Family("rota_cache_alias_ttl_seconds", "Time to live of each cache alias of [cache.aliases], in seconds", "gauge");
  for (const auto& [alias, ttl] : app.config().CacheAliases())
    w.Sample("rota_cache_alias_ttl_seconds", {{"alias", alias}}, static_cast<int64_t>(ttl.count()));

  // Requests' view: each cacheable read that used the cache is one hit or one miss.
  w.Family("rota_cache_reads_total",
           "Cacheable reads answered from the cache (result=hit) or computed and stored (result=miss), by key prefix",
           "counter");
  for (const auto& [prefix, c] : app.cached().PrefixCounts()) {
    w.Sample("rota_cache_reads_total", {{"prefix", prefix}, {"result", "hit"}}, c.hits);
    w.Sample("rota_cache_reads_total", {{"prefix", prefix}, {"result", "miss"}}, c.misses);
  }
  w.Family("rota_cache_refreshes_total",
           "Answers a write retired that this process queued for recomputation ([cache] refresh_after_write), "
           "and those finished",
           "counter");
  w.Sample("rota_cache_refreshes_total", {{"state", "queued"}}, app.cached().RefreshesQueued());
  w.Sample("rota_cache_refreshes_total", {{"state", "done"}}, app.cached().RefreshesDone());

  w.Family("rota_build_info", "Always 1; the labels describe this build of rota", "gauge");
  w.Sample("rota_build_info", {{"version", kVersion}, {"compiler", kCompiler}, {"dialects", "sqlite,postgresql"}},
           int64_t{1});
  metrics::WriteProcessMetrics(w);
  return w.Take();
}

}  // namespace rota::http
