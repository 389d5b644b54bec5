// The HTTP side of the Prometheus metrics (base/metrics.hpp): what the server
// records per request, and the body of GET /metrics.
//
// Per request the server records, by route pattern, method and status code:
//   rota_http_requests_total                 counter
//   rota_http_request_duration_seconds       histogram (read start to response written)
//   rota_http_request_statements_total       counter of SQL statements (X-Query-Count)
// Labels are bounded: `route` is a Router pattern (never the raw path) or
// "unmatched" (404, 405, unparsable requests), whose `method` is then one of
// the standard methods or "other", so a client cannot mint series.
//
// Cost: HttpMetrics resolves every route's series when the server starts. A
// request finds its (route, status) series in a small per-route array of
// atomic pointers (lock-free; a mutex is taken only the first time a status is
// seen on a route), then does three relaxed atomic adds and a bucket search.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/metrics.hpp"
#include "base/mutex.hpp"
#include "http/router.hpp"

namespace rota::service {
class App;
}

namespace rota::http {

class HttpMetrics {
 public:
  // `routes`: the router's, in order (Router::Routes()).
  HttpMetrics(metrics::Registry& registry, const std::vector<Router::RouteInfo>& routes);

  // One request: `route` is Router::Find's Match::index (or Router::kUnmatched),
  // `method` the request's method (used only when unmatched). Thread-safe.
  void Observe(int route, std::string_view method, int status, std::chrono::nanoseconds elapsed, uint64_t statements);

 private:
  struct Series {
    int status;
    metrics::Counter* requests;
    metrics::Histogram* duration;
    metrics::Counter* statements;
  };
  static constexpr size_t kSlots = 16;  // statuses per route before the (locked) overflow map
  struct Route {
    std::string method, pattern;
    std::array<std::atomic<const Series*>, kSlots> slots{};  // filled in order, never cleared
  };
  size_t RouteSlot(int route, std::string_view method) const;
  const Series& Find(size_t route, int status);
  const Series& Make(size_t route, int status) EXCLUDES(mu_);

  metrics::Registry& registry_;
  std::deque<Route> routes_;  // the router's routes, then one "unmatched" per kUnmatchedMethods entry
  size_t first_unmatched_ = 0;
  Mutex mu_;  // serialises Make
  std::deque<Series> made_ GUARDED_BY(mu_);
  std::map<std::pair<size_t, int>, const Series*> overflow_ GUARDED_BY(mu_);
};

// The text exposition format (0.0.4) body of GET /metrics: the process-wide
// registry (HTTP and database series), the database pool, the cache (its
// Stats(), which on Redis runs INFO and a SCAN: a scrape-time cost, never a
// request's), per-prefix hits and misses of cached reads, and process basics.
std::string MetricsText(service::App& app);

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace rota::http
