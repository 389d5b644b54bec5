#include "base/metrics.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace rota::metrics {
namespace {

// Captured when the program is loaded: the fallback start time.
const double kLoadedAt = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

// The start time from the kernel: boot time (/proc/stat btime) plus the
// process's start in clock ticks after boot (/proc/self/stat field 22).
std::optional<double> KernelStartTime() {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return std::nullopt;
  // Field 2 (comm) is in parentheses and may hold spaces: count from the last ')'.
  auto paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) start_ticks = std::stoull(field);
  if (start_ticks == 0) return std::nullopt;
  std::ifstream proc_stat("/proc/stat");
  std::string line;
  while (std::getline(proc_stat, line)) {
    if (line.rfind("btime ", 0) == 0) {
      long ticks_per_second = sysconf(_SC_CLK_TCK);
      if (ticks_per_second <= 0) return std::nullopt;
      return std::stod(line.substr(6)) + static_cast<double>(start_ticks) / static_cast<double>(ticks_per_second);
    }
  }
  return std::nullopt;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                               0.025,    0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
  return kBuckets;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void TextWriter::Family(std::string_view name, std::string_view help, std::string_view type) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(help), name, type);
}

void TextWriter::Series(std::string_view name, const Labels& labels, std::string_view extra_name,
                        std::string_view extra_value) {
  out_ += name;
  if (labels.empty() && extra_name.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  auto label = [&](std::string_view n, std::string_view v) {
    if (!first) out_ += ',';
    first = false;
    out_ += n;
    out_ += "=\"";
    out_ += EscapeLabelValue(v);
    out_ += '"';
  };
  for (const auto& [n, v] : labels) label(n, v);
  if (!extra_name.empty()) label(extra_name, extra_value);
  out_ += "} ";
}

void TextWriter::Sample(std::string_view name, const Labels& labels, double value) {
  Series(name, labels);
  out_ += FormatValue(value);
  out_ += '\n';
}

void TextWriter::Sample(std::string_view name, const Labels& labels, uint64_t value) {
  Series(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void TextWriter::Sample(std::string_view name, const Labels& labels, int64_t value) {
  Series(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void TextWriter::WriteHistogram(std::string_view name, const Labels& labels, const Histogram::Snapshot& s) {
  std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    std::string le = i < s.bounds.size() ? FormatValue(s.bounds[i]) : "+Inf";
    Series(bucket, labels, "le", le);
    out_ += std::to_string(s.cumulative[i]);
    out_ += '\n';
  }
  Sample(std::string(name) + "_sum", labels, s.sum);
  Sample(std::string(name) + "_count", labels, s.count);
}

Registry::Series& Registry::Find(std::string_view name, std::string_view help, Type type,
                                 const std::vector<std::string>& label_names,
                                 const std::vector<std::string>& label_values, const std::vector<double>& bounds) {
  if (label_names.size() != label_values.size())
    throw std::logic_error(
        fmt::format("metrics: {} has {} label names but {} values", name, label_names.size(), label_values.size()));
  Family* family = nullptr;
  for (auto& f : families_)
    if (f.name == name) family = &f;
  if (!family) {
    families_.push_back(Family{std::string(name), std::string(help), type, label_names, bounds, {}});
    family = &families_.back();
  } else if (family->type != type || family->help != help || family->label_names != label_names ||
             family->bounds != bounds) {
    throw std::logic_error(
        fmt::format("metrics: {} registered twice with different types, help, labels or buckets", name));
  }
  for (auto& s : family->series)
    if (s.label_values == label_values) return s;
  Series& s = family->series.emplace_back();
  s.label_values = label_values;
  if (type == Type::kCounter)
    s.counter = std::make_unique<Counter>();
  else
    s.histogram = std::make_unique<Histogram>(bounds);
  return s;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const std::vector<std::string>& label_names,
                              const std::vector<std::string>& label_values) {
  MutexLock lock(mu_);
  return *Find(name, help, Type::kCounter, label_names, label_values, {}).counter;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const std::vector<std::string>& label_names,
                                  const std::vector<std::string>& label_values, const std::vector<double>& bounds) {
  MutexLock lock(mu_);
  return *Find(name, help, Type::kHistogram, label_names, label_values, bounds).histogram;
}

void Registry::Write(TextWriter& w) const {
  MutexLock lock(mu_);
  for (const auto& f : families_) {
    if (f.series.empty()) continue;
    w.Family(f.name, f.help, f.type == Type::kCounter ? "counter" : "histogram");
    for (const auto& s : f.series) {
      Labels labels;
      for (size_t i = 0; i < f.label_names.size(); ++i) labels.emplace_back(f.label_names[i], s.label_values[i]);
      if (s.counter)
        w.Sample(f.name, labels, s.counter->Value());
      else
        w.WriteHistogram(f.name, labels, s.histogram->Read());
    }
  }
}

Registry& DefaultRegistry() {
  static Registry* registry = new Registry();  // never destroyed: series outlive every static user
  return *registry;
}

double ProcessStartTimeSeconds() {
  static const double start = [] {
    try {
      if (auto t = KernelStartTime()) return *t;
    } catch (const std::exception&) {  // a malformed /proc: fall back
    }
    return kLoadedAt;
  }();
  return start;
}

void WriteProcessMetrics(TextWriter& w) {
  w.Family("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", "gauge");
  w.Sample("process_start_time_seconds", {}, ProcessStartTimeSeconds());
  timespec cpu{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) {
    w.Family("process_cpu_seconds_total", "User and system CPU time spent, in seconds", "counter");
    w.Sample("process_cpu_seconds_total", {},
             static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9);
  }
  std::ifstream statm("/proc/self/statm");
  unsigned long long pages_virtual = 0, pages_resident = 0;
  long page = sysconf(_SC_PAGESIZE);
  if (statm >> pages_virtual >> pages_resident && page > 0) {
    w.Family("process_virtual_memory_bytes", "Virtual memory size, in bytes", "gauge");
    w.Sample("process_virtual_memory_bytes", {},
             static_cast<uint64_t>(pages_virtual * static_cast<unsigned long long>(page)));
    w.Family("process_resident_memory_bytes", "Resident memory size, in bytes", "gauge");
    w.Sample("process_resident_memory_bytes", {},
             static_cast<uint64_t>(pages_resident * static_cast<unsigned long long>(page)));
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  if (!ec) {
    w.Family("process_open_fds", "Open file descriptors", "gauge");
    w.Sample("process_open_fds", {}, fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    w.Family("process_max_fds", "The most file descriptors the process may open", "gauge");
    w.Sample("process_max_fds", {}, static_cast<uint64_t>(limit.rlim_cur));
  }
}

}  // namespace rota::metrics
