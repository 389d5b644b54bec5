// Prometheus metrics: counters and histograms that the request path updates
// without locks, a registry that owns them, and a writer of the text
// exposition format (version 0.0.4) that GET /metrics answers.
//
// Cost model. Counter::Inc is one relaxed atomic add; Histogram::Observe is a
// linear search of a dozen bounds plus two relaxed atomic adds. Neither takes a
// lock or allocates. Finding a series by its labels (Registry::GetCounter /
// GetHistogram) takes the registry's mutex and may allocate: do it once, at
// set-up, and keep the reference (it stays valid as long as the registry; the
// default registry is never destroyed). http/metrics.hpp pre-resolves a
// series per route this way; db/ does it per dialect and statement kind.
//
// Consistency. A scrape reads each atomic on its own while writers go on, so
// one scrape may see a request in a bucket but not yet in `_sum`. Each
// histogram's `_count` and `+Inf` bucket are computed from the same reading of
// the buckets, so they always agree and buckets are always cumulative.
//
// Naming (https://prometheus.io/docs/practices/naming/): `rota_` prefix, base
// units (`_seconds`, `_bytes`), counters end in `_total`; label values are
// bounded (route patterns, never raw paths).
//
// Thread-safety: everything here may be used from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.hpp"

namespace rota::metrics {

// A count that only goes up (Prometheus type counter).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Observations counted into buckets with fixed upper bounds (Prometheus type
// histogram). A value v goes into the first bucket whose bound is >= v (the
// `le` semantics), or into the implicit +Inf bucket.
class Histogram {
 public:
  // REQUIRES: `bounds` strictly increasing and finite (may be empty: +Inf only).
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value) {
    size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }
  void ObserveDuration(std::chrono::nanoseconds d) { Observe(static_cast<double>(d.count()) * 1e-9); }

  struct Snapshot {
    std::vector<double> bounds;        // upper bounds, without +Inf
    std::vector<uint64_t> cumulative;  // bounds.size() + 1 entries; the last is +Inf == count
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for request and statement latencies: 25 µs .. 10 s
// (a cached read takes tens of microseconds, so Prometheus' default buckets,
// which start at 5 ms, would put all of them in the first one).
const std::vector<double>& LatencyBuckets();

// (label name, label value) pairs, in the order they are written.
using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Writes the text exposition format. Call Family() once per metric family, then
// its samples, before the next family (the format requires a family's lines
// to be contiguous). The caller chooses names and label names: they must match
// [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*; label values and help
// texts may be any UTF-8 and are escaped here.
class TextWriter {
 public:
  // `type`: "counter", "gauge", "histogram" or "untyped".
  void Family(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, const Labels& labels, double value);
  void Sample(std::string_view name, const Labels& labels, uint64_t value);
  void Sample(std::string_view name, const Labels& labels, int64_t value);
  // `name`_bucket{..., le="b"} (cumulative, ending with le="+Inf"), `name`_sum, `name`_count.
  void WriteHistogram(std::string_view name, const Labels& labels, const Histogram::Snapshot& s);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Series(std::string_view name, const Labels& labels, std::string_view extra_name = {},
              std::string_view extra_value = {});
  std::string out_;
};

// `\` -> `\\`, `"` -> `\"`, newline -> `\n` (a label value).
std::string EscapeLabelValue(std::string_view v);
// `\` -> `\\`, newline -> `\n` (a HELP text).
std::string EscapeHelp(std::string_view v);
// A sample value as Prometheus parses it: shortest round-trip decimal, `+Inf`,
// `-Inf`, `NaN`.
std::string FormatValue(double v);

// The families and series of one process. Families are written in the order
// they were first asked for, series in the order they were made.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The series of counter family `name` with `label_values` (one per label
  // name, in order), made on first use. Every call for one name must give the
  // same help and label names, and a name is one type only: a mismatch is a
  // programming error and throws std::logic_error (at set-up, never later).
  Counter& GetCounter(std::string_view name, std::string_view help, const std::vector<std::string>& label_names,
                      const std::vector<std::string>& label_values);
  // As GetCounter; every series of one family has `bounds`.
  Histogram& GetHistogram(std::string_view name, std::string_view help, const std::vector<std::string>& label_names,
                          const std::vector<std::string>& label_values, const std::vector<double>& bounds);

  // Every family that has at least one series.
  void Write(TextWriter& w) const;

 private:
  enum class Type { kCounter, kHistogram };
  struct Series {
    std::vector<std::string> label_values;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name, help;
    Type type;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::deque<Series> series;
  };
  Series& Find(std::string_view name, std::string_view help, Type type, const std::vector<std::string>& label_names,
               const std::vector<std::string>& label_values, const std::vector<double>& bounds) REQUIRES(mu_);

  mutable Mutex mu_;
  std::deque<Family> families_ GUARDED_BY(mu_);
};

// The process-wide registry that the server, the database layer and GET
// /metrics share. Never destroyed, so references into it stay valid until exit.
Registry& DefaultRegistry();

// When this process started (Unix seconds), for process_start_time_seconds.
double ProcessStartTimeSeconds();

// The standard process metrics of Prometheus client libraries, from /proc and
// the clock: process_start_time_seconds, process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds (those that cannot be read are left out).
void WriteProcessMetrics(TextWriter& w);

}  // namespace rota::metrics
