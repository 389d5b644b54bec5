#include "http/metrics.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace rota::http {
namespace {

using namespace std::chrono_literals;

std::string Text(const metrics::Registry& r) {
  metrics::TextWriter w;
  r.Write(w);
  return w.Take();
}

std::vector<Router::RouteInfo> TwoRoutes() {
  return {{"GET", "/api/homes/{id}/dashboard"}, {"PATCH", "/api/shifts/{id}"}};
}

TEST(HttpMetrics, CountsEachRouteMethodAndStatusOnItsOwnSeries) {
  metrics::Registry registry;
  HttpMetrics m(registry, TwoRoutes());
  m.Observe(0, "GET", 200, 40us, 0);
  m.Observe(0, "GET", 200, 3ms, 5);
  m.Observe(0, "GET", 403, 30us, 1);
  m.Observe(1, "PATCH", 200, 2ms, 4);
  std::string text = Text(registry);
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/homes/{id}/dashboard\",method=\"GET\",code=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/homes/{id}/dashboard\",method=\"GET\",code=\"403\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/shifts/{id}\",method=\"PATCH\",code=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rota_http_request_statements_total{route=\"/api/homes/{id}/dashboard\",method=\"GET\","
                      "code=\"200\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("rota_http_request_duration_seconds_bucket{route=\"/api/homes/{id}/dashboard\",method=\"GET\","
                      "code=\"200\",le=\"5e-05\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_request_duration_seconds_count{route=\"/api/homes/{id}/dashboard\",method=\"GET\","
                      "code=\"200\"} 2\n"),
            std::string::npos);
}

TEST(HttpMetrics, UnmatchedRequestsCannotMintSeries) {
  metrics::Registry registry;
  HttpMetrics m(registry, TwoRoutes());
  m.Observe(Router::kUnmatched, "GET", 404, 10us, 0);
  m.Observe(Router::kUnmatched, "BREW", 404, 10us, 0);
  m.Observe(Router::kUnmatched, "X-ANYTHING-AT-ALL", 404, 10us, 0);
  m.Observe(Router::kUnmatched, "-", 400, 10us, 0);  // unparsable request
  std::string text = Text(registry);
  EXPECT_NE(text.find("rota_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_requests_total{route=\"unmatched\",method=\"other\",code=\"404\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_requests_total{route=\"unmatched\",method=\"other\",code=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
}

TEST(HttpMetrics, ManyStatusesOnOneRouteAreAllCounted) {
  metrics::Registry registry;
  HttpMetrics m(registry, TwoRoutes());
  for (int round = 0; round < 2; ++round)
    for (int status = 200; status < 240; ++status) m.Observe(0, "GET", status, 1us, 0);  // more than the slots
  std::string text = Text(registry);
  for (int status : {200, 215, 216, 239})
    EXPECT_NE(text.find("method=\"GET\",code=\"" + std::to_string(status) + "\"} 2\n"), std::string::npos) << status;
}

TEST(HttpMetrics, ConcurrentRequestsOnANewStatusAreCountedOnOneSeries) {
  metrics::Registry registry;
  HttpMetrics m(registry, TwoRoutes());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) m.Observe(1, "PATCH", 200 + i % 3, 1us, 1);
    });
  for (auto& t : threads) t.join();
  std::string text = Text(registry);
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/shifts/{id}\",method=\"PATCH\",code=\"200\"} 1336\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/shifts/{id}\",method=\"PATCH\",code=\"202\"} 1332\n"),
            std::string::npos);
}

}  // namespace
}  // namespace rota::http
