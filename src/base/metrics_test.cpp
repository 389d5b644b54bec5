#include "base/metrics.hpp"

#include <cmath>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

namespace rota::metrics {
namespace {

TEST(MetricsText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"
                             "\n"
                             "d"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeLabelValue("/api/homes/{id}/dashboard"), "/api/homes/{id}/dashboard");
  EXPECT_EQ(EscapeLabelValue("Ünïcode ✓"), "Ünïcode ✓");  // UTF-8 passes through
  TextWriter w;
  w.Family("rota_x_total", "Things", "counter");
  w.Sample("rota_x_total", {{"path", "C:\\dir\n\"quoted\""}, {"b", ""}}, uint64_t{3});
  EXPECT_EQ(w.text(),
            "# HELP rota_x_total Things\n"
            "# TYPE rota_x_total counter\n"
            "rota_x_total{path=\"C:\\\\dir\\n\\\"quoted\\\"\",b=\"\"} 3\n");
}

TEST(MetricsText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
  TextWriter w;
  w.Family("rota_up", "line one\nline \\two", "gauge");
  w.Sample("rota_up", {}, int64_t{1});
  EXPECT_EQ(w.text(), "# HELP rota_up line one\\nline \\\\two\n# TYPE rota_up gauge\nrota_up 1\n");
}

TEST(MetricsText, ValuesAreExactIntegersOrShortestDecimalsAndSpecialFloats) {
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(FormatValue(0.1 + 0.2)), 0.1 + 0.2);  // round-trips
  TextWriter w;
  w.Sample("big", {}, uint64_t{18446744073709551615ull});
  w.Sample("neg", {}, int64_t{-5});
  EXPECT_EQ(w.text(), "big 18446744073709551615\nneg -5\n");
}

TEST(MetricsText, HistogramBucketsAreCumulativeEndingWithInfThenSumAndCount) {
  Histogram h({0.1, 0.5, 1});
  for (double v : {0.05, 0.1, 0.3, 0.7, 0.7, 2.0}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 5, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_NEAR(s.sum, 3.85, 1e-9);
  TextWriter w;
  w.Family("rota_d_seconds", "Durations", "histogram");
  w.WriteHistogram("rota_d_seconds", {{"route", "/a"}}, s);
  std::string expected =
      "# HELP rota_d_seconds Durations\n"
      "# TYPE rota_d_seconds histogram\n"
      "rota_d_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
      "rota_d_seconds_bucket{route=\"/a\",le=\"0.5\"} 3\n"
      "rota_d_seconds_bucket{route=\"/a\",le=\"1\"} 5\n"
      "rota_d_seconds_bucket{route=\"/a\",le=\"+Inf\"} 6\n"
      "rota_d_seconds_sum{route=\"/a\"} " +
      FormatValue(s.sum) +
      "\n"
      "rota_d_seconds_count{route=\"/a\"} 6\n";
  EXPECT_EQ(w.text(), expected);
}

TEST(MetricsText, AnEmptyHistogramStillHasItsInfBucketSumAndCount) {
  Histogram h({1});
  TextWriter w;
  w.WriteHistogram("h", {}, h.Read());
  EXPECT_EQ(w.text(), "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(MetricsText, DurationsAreObservedInSeconds) {
  Histogram h(LatencyBuckets());
  h.ObserveDuration(std::chrono::microseconds(40));
  auto s = h.Read();
  EXPECT_NEAR(s.sum, 40e-6, 1e-12);
  EXPECT_EQ(s.cumulative[0], 0u);  // le 25 µs
  EXPECT_EQ(s.cumulative[1], 1u);  // le 50 µs
}

TEST(MetricsRegistry, OneSeriesPerLabelValuesWrittenInFamilies) {
  Registry r;
  Counter& a = r.GetCounter("rota_t_total", "T", {"k"}, {"a"});
  Counter& b = r.GetCounter("rota_t_total", "T", {"k"}, {"b"});
  EXPECT_EQ(&a, &r.GetCounter("rota_t_total", "T", {"k"}, {"a"}));
  EXPECT_NE(&a, &b);
  a.Inc();
  b.Inc(2);
  r.GetHistogram("rota_h_seconds", "H", {}, {}, {1}).Observe(0.5);
  TextWriter w;
  r.Write(w);
  EXPECT_EQ(w.text(),
            "# HELP rota_t_total T\n# TYPE rota_t_total counter\n"
            "rota_t_total{k=\"a\"} 1\nrota_t_total{k=\"b\"} 2\n"
            "# HELP rota_h_seconds H\n# TYPE rota_h_seconds histogram\n"
            "rota_h_seconds_bucket{le=\"1\"} 1\nrota_h_seconds_bucket{le=\"+Inf\"} 1\n"
            "rota_h_seconds_sum 0.5\nrota_h_seconds_count 1\n");
}

TEST(MetricsRegistry, ANameIsOneTypeWithOneSetOfLabels) {
  Registry r;
  r.GetCounter("rota_t_total", "T", {"k"}, {"a"});
  EXPECT_THROW(r.GetHistogram("rota_t_total", "T", {"k"}, {"a"}, {1}), std::logic_error);
  EXPECT_THROW(r.GetCounter("rota_t_total", "T", {"other"}, {"a"}), std::logic_error);
  EXPECT_THROW(r.GetCounter("rota_t_total", "T", {"k"}, {}), std::logic_error);
}

TEST(MetricsRegistry, CountsFromManyThreadsAreExact) {
  Registry r;
  Counter& c = r.GetCounter("rota_c_total", "C", {}, {});
  Histogram& h = r.GetHistogram("rota_h_seconds", "H", {}, {}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(i % 2 ? 1.0 : 0.25);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
  auto s = h.Read();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 20000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 1.0 + 20000 * 0.25);
}

TEST(MetricsProcess, StartTimeIsInThePastAndProcessMetricsAreWritten) {
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(ProcessStartTimeSeconds(), now + 1);
  EXPECT_GT(ProcessStartTimeSeconds(), now - 24 * 3600);
  TextWriter w;
  WriteProcessMetrics(w);
  EXPECT_NE(w.text().find("# TYPE process_start_time_seconds gauge\n"), std::string::npos) << w.text();
  EXPECT_NE(w.text().find("process_resident_memory_bytes "), std::string::npos) << w.text();
  EXPECT_NE(w.text().find("process_cpu_seconds_total "), std::string::npos) << w.text();
}

}  // namespace
}  // namespace rota::metrics
