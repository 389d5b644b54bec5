#include "service/cached_reads.hpp"

#include <algorithm>
#include <thread>

#include "cache/keys.hpp"
#include "service/gzip.hpp"

namespace rota::service {
namespace {

// How long another process may hold the fill lock of a key, and how often a
// waiter looks for the answer it is computing.
constexpr std::chrono::milliseconds kFillLock{2000};
constexpr std::chrono::milliseconds kFillPoll{10};

// The generation counters of `families` of `home` (0: over all homes), in
// Family bit order: `gen:h<id>:<family>`, `gen:global:<family>`.
std::vector<std::string> GenerationKeys(int64_t home, unsigned families) {
  const std::string base = home ? "gen:h" + std::to_string(home) + ":" : std::string("gen:global:");
  std::vector<std::string> keys;
  for (int i = 0; i < kFamilyCount; ++i)
    if (families & (1u << i)) keys.push_back(base + std::string(kFamilyNames[static_cast<size_t>(i)]));
  return keys;
}

std::string RangeArgs(const domain::DateRange& r) { return r.from.ToString() + "/" + r.to.ToString(); }

std::string Etag(std::string_view body) { return "\"" + cache::HashHex(body) + "\""; }

// A stored answer (before the cache's stamp, cache/stamp.hpp) is
//   <bytes> <16 hex digits: the ETag of the identity bytes> <1 byte: 'i' identity | 'g' gzip>
// <bytes> are gzip when the answer has kGzipMinBytes or more and compressing
// saves something.
constexpr size_t kEtagDigits = 16;
constexpr char kIdentityByte = 'i';
constexpr char kGzipByte = 'g';

std::string Stored(std::string body) {
  std::string etag = cache::HashHex(body);
  char encoding = kIdentityByte;
  if (body.size() >= kGzipMinBytes) {
    std::string gz = Gzip(body);
    if (gz.size() < body.size()) body = std::move(gz), encoding = kGzipByte;
  }
  body.reserve(body.size() + kEtagDigits + 1);
  body.append(etag).push_back(encoding);
  return body;
}

CachedAnswer FromStored(std::string stored, CacheOutcome outcome) {
  const char encoding = stored.empty() ? '\0' : stored.back();
  if (stored.size() < kEtagDigits + 1 || (encoding != kIdentityByte && encoding != kGzipByte))
    return CachedAnswer{std::string(), outcome, Etag("")};  // not ours; cannot happen (kCacheFormat is in the key)
  std::string etag = "\"" + stored.substr(stored.size() - kEtagDigits - 1, kEtagDigits) + "\"";
  stored.resize(stored.size() - kEtagDigits - 1);
  return CachedAnswer{std::move(stored), outcome, std::move(etag),
                      encoding == kGzipByte ? BodyEncoding::kGzip : BodyEncoding::kIdentity};
}

// What identifies one computation: the key and the generations it begins under.
std::string FlightKey(const std::string& key, const std::vector<int64_t>& generations) {
  std::string out = key;
  for (int64_t g : generations) out.append(":").append(std::to_string(g));
  return out;
}

size_t PrefixIndex(std::string_view prefix) {
  for (size_t i = 0; i < cache::prefix::kAll.size(); ++i)
    if (cache::prefix::kAll[i] == prefix) return i;
  return 0;
}

}  // namespace

Result<std::string> IdentityBody(const CachedAnswer& answer) {
  if (answer.encoding == BodyEncoding::kGzip) return Gunzip(answer.body);
  return answer.body;
}

const char* OutcomeName(CacheOutcome o) {
  switch (o) {
    case CacheOutcome::kHit:
      return "HIT";
    case CacheOutcome::kMiss:
      return "MISS";
    case CacheOutcome::kBypass:
      return "BYPASS";
  }
  return "BYPASS";
}

// What Through was asked for one refreshable answer, kept by RecentReads: the
// Read (its `compute` owns what it uses), from which both Refresh and
// PrepareRefresh run.
class CachedReads::RefreshJob final : public RecentReads::Refresh {
 public:
  RefreshJob(CachedReads& reads, Read read) : reads(reads), read(std::move(read)) {}

  std::optional<RecentReads::Prepared> Prepare() const override { return reads.PrepareRefresh(*this); }
  void Run() const override { reads.Refresh(*this); }

  CachedReads& reads;
  const Read read;
};

CachedReads::~CachedReads() { WaitForLookups(); }

void CachedReads::WaitForLookups() {
  MutexLock lock(later_mu_);
  later_cv_.wait(lock, [&]() REQUIRES(later_mu_) { return later_in_flight_ == 0; });
}

CachedReads::Lookup CachedReads::ToLookUp(const Read& read) {
  return Lookup{GenerationKeys(read.home, read.families), cache::Key(read.prefix, read.home, kCacheFormat, read.args),
                std::nullopt};
}

CachedReads::Lookup CachedReads::LookUp(const Read& read) {
  Lookup out = ToLookUp(read);
  out.current = cache_.GetCurrent(out.counters, out.key);
  return out;
}

Result<CachedAnswer> CachedReads::Through(const Read& read, bool bypass, bool refreshable) {
  if (bypass) {
    auto body = read.compute();
    if (!body) return std::move(body).error();
    std::string etag = Etag(*body);
    return CachedAnswer{std::move(*body), CacheOutcome::kBypass, std::move(etag)};
  }
  // The generations are read before any row, with the value: see the header.
  Lookup lookup = LookUp(read);
  return Answer(read, lookup, refreshable);
}

Result<CachedAnswer> CachedReads::Answer(const Read& read, Lookup& lookup, bool refreshable) {
  // None (the backend is degraded): answer from the database, not touching the cache.
  if (!lookup.current) return Through(read, /*bypass=*/true, refreshable);
  Counts& counts = counts_[PrefixIndex(read.prefix)];
  if (refreshable && refresher_)
    recent_.Touch(lookup.key, read.home, read.families, RecentReads::Clock::now(),
                  [&]() -> RecentReads::Job { return std::make_shared<const RefreshJob>(*this, read); });
  if (lookup.current->value) {
    counts.hits.fetch_add(1, std::memory_order_relaxed);
    history_.Record(true);
    return FromStored(std::move(*lookup.current->value), CacheOutcome::kHit);
  }
  counts.misses.fetch_add(1, std::memory_order_relaxed);
  history_.Record(false);
  return Fill(lookup.key, lookup.counters, lookup.current->generations, read.ttl, read.compute);
}

void CachedReads::GetLater(Read read, std::function<void(Later)> then) {
  {
    MutexLock lock(later_mu_);
    ++later_in_flight_;
  }
  auto lookup = std::make_shared<Lookup>(ToLookUp(read));
  auto asked = std::make_shared<const Read>(std::move(read));
  auto done = [this, lookup, asked, then = std::move(then)](std::optional<cache::Cache::Current> current) mutable {
    struct Landed {  // even if `then` throws
      CachedReads* reads;
      ~Landed() {
        MutexLock lock(reads->later_mu_);
        if (--reads->later_in_flight_ == 0) reads->later_cv_.notify_all();
      }
    } landed{this};
    // Destroyed before `landed`: what `then` holds (a session's Reply) must be
    // gone once WaitForLookups returns, not when the cache drops this closure.
    auto answer = std::move(then);
    lookup->current = std::move(current);
    answer(LookedUp(asked, lookup));
  };
  cache_.GetCurrentLater(lookup->counters, lookup->key, std::move(done));
}

CachedReads::Later CachedReads::LookedUp(std::shared_ptr<const Read> read, std::shared_ptr<Lookup> lookup) {
  Later out;
  if (!lookup->current) {
    // Degraded: Get, which fails fast, or probes Redis when the breaker's wait is over.
    out.finish = [this, read] { return Through(*read, /*bypass=*/false); };
  } else if (lookup->current->value) {
    out.ready = Answer(*read, *lookup, /*refreshable=*/true);  // a hit: no database work
  } else {
    out.finish = [this, read, lookup] { return Answer(*read, *lookup, /*refreshable=*/true); };
  }
  return out;
}

Result<CachedAnswer> CachedReads::Fill(const std::string& key, const std::vector<std::string>& counters,
                                       const std::vector<int64_t>& generations, std::chrono::seconds ttl,
                                       const Compute& compute) {
  const std::string flight = FlightKey(key, generations);
  return flights_.Do(flight, [&]() -> Result<CachedAnswer> {
    // Someone may have stored it between our read and this flight.
    auto filled = [&]() -> std::optional<std::string> {
      auto now = cache_.GetCurrent(counters, key);
      return now ? std::move(now->value) : std::nullopt;
    };
    if (auto v = filled()) return FromStored(std::move(*v), CacheOutcome::kMiss);
    // Across processes: one fills, the others wait briefly for its answer.
    bool locked = cache_.TryLock(flight, kFillLock);
    if (!locked) {
      for (auto waited = std::chrono::milliseconds(0); waited < kFillLock; waited += kFillPoll) {
        std::this_thread::sleep_for(kFillPoll);
        if (auto v = filled()) return FromStored(std::move(*v), CacheOutcome::kMiss);
      }
    }
    auto computed = compute();
    // Compressed once: the same bytes are stored and answered.
    std::string stored = computed ? Stored(std::move(*computed)) : std::string();
    if (computed) cache_.SetCurrent(key, stored, generations, ttl);
    if (locked) cache_.Unlock(flight);
    if (!computed) return std::move(computed).error();
    return FromStored(std::move(stored), CacheOutcome::kMiss);
  });
}

void CachedReads::Refresh(const RefreshJob& job) {
  // The counters are read now, after the write's increment: what is computed
  // below is stamped with them, and nothing computed before the commit is.
  Lookup read = LookUp(job.read);
  if (!read.current || read.current->value) return;  // degraded, or a reader was first
  (void)Fill(read.key, read.counters, read.current->generations, job.read.ttl, job.read.compute);
}

std::optional<RecentReads::Prepared> CachedReads::PrepareRefresh(const RefreshJob& job) {
  // The counters now (after the commit, before its increment), then the rows.
  Lookup read = LookUp(job.read);
  if (!read.current) return std::nullopt;  // degraded: nothing is stored anyway
  auto computed = job.read.compute();
  if (!computed) return std::nullopt;
  RecentReads::Prepared out;
  out.answer = cache::Cache::Prepared{read.key, Stored(std::move(*computed)), read.counters, read.current->generations,
                                      job.read.ttl};
  // The cache did not store it: another write incremented one of these
  // counters between this one's reading them and its own increment, so its
  // rows may be missing from what was prepared. Computed again now, stamped
  // with what this write's increment made of the counters it bumped and with
  // what was read of the others (if another write has moved one of those
  // since, readers refuse the value): that write committed before it
  // incremented, and this one has incremented, so the rows read now hold
  // both, and every counter in the stamp was read (or made) before them, as a
  // reader's miss reads them. Still before the acknowledgement (and before the
  // near tier drops the old counters), so the reader after it hits. (Under 16
  // connections and 5% writes, 11% of writes are overtaken so.) Not through
  // Fill: its check for a value stored meanwhile would find, in the near
  // tier's copies, the answer from before this write.
  out.otherwise = [this, &job, key = std::move(read.key), counters = std::move(read.counters),
                   before = std::move(read.current->generations)](const RecentReads::Bumped& bumped) {
    std::vector<int64_t> stamp = before;
    bool overtaken = false;
    for (size_t i = 0; i < counters.size(); ++i) {
      auto it = bumped.find(counters[i]);
      if (it == bumped.end()) continue;
      if (!it->second) return;  // not incremented: nothing is stored
      overtaken |= *it->second != before[i] + 1;
      stamp[i] = *it->second;
    }
    if (!overtaken) return;  // a counter it did not bump moved: its readers would refuse any stamp made now
    if (auto again = job.read.compute()) cache_.SetCurrent(key, Stored(std::move(*again)), stamp, job.read.ttl);
  };
  return out;
}

void CachedReads::EnableRefresh(int threads) {
  refresher_ = std::make_unique<WorkPool>(threads, kRefreshLimit * 4, /*nice=*/5);
}

bool CachedReads::WaitForRefreshes(std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (refreshes_done_.load() < refreshes_queued_.load()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::vector<std::pair<std::string_view, PrefixCount>> CachedReads::PrefixCounts() const {
  std::vector<std::pair<std::string_view, PrefixCount>> out;
  for (size_t i = 0; i < counts_.size(); ++i)
    out.emplace_back(cache::prefix::kAll[i], PrefixCount{counts_[i].hits.load(), counts_[i].misses.load()});
  return out;
}

CachedReads::Read CachedReads::DashboardRead(int64_t home, domain::DateRange range) const {
  return {cache::prefix::kDashboard, home,
          kDashboardFamilies,        RangeArgs(range),
          timeouts_.dashboard,       [this, home, range] { return reads_.Dashboard(home, range); }};
}

CachedReads::Read CachedReads::ShiftListRead(int64_t home, domain::DateRange range) const {
  return {cache::prefix::kShift, home,
          kShiftListFamilies,    RangeArgs(range),
          timeouts_.other,       [this, home, range] { return reads_.ShiftList(home, range); }};
}

CachedReads::Read CachedReads::StaffListRead(int64_t home) const {
  return {cache::prefix::kStaff, home,
          kStaffListFamilies,    "",
          timeouts_.other,       [this, home] { return reads_.StaffList(home); }};
}

CachedReads::Read CachedReads::ComplianceRead(int64_t home, domain::DateRange range) const {
  return {
      cache::prefix::kCompliance, home, kComplianceFamilies, RangeArgs(range), timeouts_.other, [this, home, range] {
        return reads_.Compliance(home, range);
      }};
}

Result<CachedAnswer> CachedReads::Dashboard(int64_t home, domain::DateRange range, bool bypass) {
  return Through(DashboardRead(home, range), bypass);
}

Result<CachedAnswer> CachedReads::ShiftList(int64_t home, domain::DateRange range, bool bypass) {
  return Through(ShiftListRead(home, range), bypass);
}

Result<CachedAnswer> CachedReads::StaffList(int64_t home, bool bypass) { return Through(StaffListRead(home), bypass); }

CachedReads::Read CachedReads::MonthlyReportRead(int64_t home, YearMonth month) const {
  return {cache::prefix::kReport, home,
          kReportFamilies,        month.ToString(),
          timeouts_.other,        [this, home, month] { return reads_.MonthlyReport(home, month); }};
}

// The CSV has its own key, under the same generations as the JSON.
CachedReads::Read CachedReads::MonthlyReportCsvRead(int64_t home, YearMonth month) const {
  return {cache::prefix::kReport, home,
          kReportFamilies,        month.ToString() + "/csv",
          timeouts_.other,        [this, home, month] { return reads_.MonthlyReportCsv(home, month); }};
}

CachedReads::Read CachedReads::StatsRead(Date today) const {
  return {cache::prefix::kStats, 0,
          kStatsFamilies,        today.ToString(),
          timeouts_.other,       [this, today] { return reads_.Stats(today); }};
}

CachedReads::Read CachedReads::HomesRead(std::optional<int64_t> only, Date today) const {
  return {cache::prefix::kHomes, only.value_or(0), kHomesFamilies,
          today.ToString(),      timeouts_.other,  [this, today, only] { return reads_.Homes(today, only); }};
}

Result<CachedAnswer> CachedReads::MonthlyReport(int64_t home, YearMonth month, bool bypass) {
  return Through(MonthlyReportRead(home, month), bypass);
}

Result<CachedAnswer> CachedReads::Compliance(int64_t home, domain::DateRange range, bool bypass) {
  return Through(ComplianceRead(home, range), bypass);
}

Result<CachedAnswer> CachedReads::Stats(Date today, bool bypass) { return Through(StatsRead(today), bypass); }

Result<CachedAnswer> CachedReads::MonthlyReportCsv(int64_t home, YearMonth month, bool bypass) {
  return Through(MonthlyReportCsvRead(home, month), bypass);
}

Result<CachedAnswer> CachedReads::Homes(std::optional<int64_t> only, Date today, bool bypass) {
  return Through(HomesRead(only, today), bypass);
}

Result<CachedAnswer> CachedReads::Fragment(int64_t home, unsigned families, const std::string& args, bool bypass,
                                           const Render& render) {
  return Through({cache::prefix::kPage, home, families, args, timeouts_.fragments, render}, bypass,
                 /*refreshable=*/false);
}

std::vector<std::string> CachedReads::CountersOf(const ChangeSet& changes) {
  std::vector<std::string> counters;
  if (changes.empty() || changes.families == 0) return counters;
  for (int64_t home : changes.homes)
    for (auto& counter : GenerationKeys(home, changes.families)) counters.push_back(std::move(counter));
  for (auto& counter : GenerationKeys(0, changes.families)) counters.push_back(std::move(counter));
  return counters;
}

bool CachedReads::Committed(const ChangeSet& changes) {
  const std::vector<std::string> counters = CountersOf(changes);
  if (counters.empty()) return true;
  const auto delivered = [](const std::vector<std::optional<int64_t>>& results) {
    return std::ranges::all_of(results, [](const auto& r) { return r.has_value(); });
  };
  if (!refresher_) return delivered(cache_.IncrMany(counters));  // one round trip on Redis, one wait for the near tiers
  auto due = recent_.Due(changes.homes, changes.families, RecentReads::Clock::now(), kRefreshLimit);
  // The hottest: computed from the committed rows before the increment (until
  // then readers are still served the answers from before this write, which is
  // allowed: it is not acknowledged yet), and stored by the increment itself
  // (Cache::IncrMany), so readers find the new answer in place of the old
  // one. See PrepareRefresh.
  const size_t before_ack = std::min(due.size(), kRefreshBeforeAck);
  std::vector<cache::Cache::Prepared> answers;
  std::vector<std::function<void(const RecentReads::Bumped&)>> otherwise;  // use due[]'s jobs: run before they go
  for (size_t i = 0; i < before_ack; ++i) {
    refreshes_queued_.fetch_add(1);
    if (auto p = due[i]->Prepare()) {
      answers.push_back(std::move(p->answer));
      otherwise.push_back(std::move(p->otherwise));
    }
  }
  const auto incremented = cache_.IncrMany(counters, answers, [&](std::span<const std::optional<int64_t>> results) {
    RecentReads::Bumped bumped;
    for (size_t i = 0; i < counters.size(); ++i) bumped.emplace(counters[i], results[i]);
    for (size_t i = 0; i < answers.size(); ++i)
      if (!answers[i].stored) otherwise[i](bumped);
  });
  refreshes_done_.fetch_add(static_cast<int64_t>(before_ack));
  // The rest in the background, after the increment.
  for (size_t i = before_ack; i < due.size(); ++i) {
    refreshes_queued_.fetch_add(1);
    if (!refresher_->TrySubmit([this, job = std::move(due[i])] {
          job->Run();
          refreshes_done_.fetch_add(1);
        }))
      refreshes_done_.fetch_add(1);  // the queue is full: a reader will fill it
  }
  return delivered(incremented);
}

}  // namespace rota::service
