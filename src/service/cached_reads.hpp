// Read-through caching of the cacheable reads, invalidated by data family.
//
// Each home has one generation counter per data family (changes.hpp: its
// shifts, notes, staff, leave, ...): `gen:h<id>:<family>`, and the service one
// more per family over all homes (`gen:global:<family>`, for answers that span
// homes). Each cached read declares the families it shows (the dashboard shows
// shifts, staff, leave, certifications, units and the home's name, not notes).
// A committed write (this class is the WriteService's ChangeSink) increments
// the counters of the families it changed, in every home it touched and
// globally: a note retires the home's shift lists, not its dashboards.
//
// A cached answer is stored under a key without any generation
// (`dashboard:h1:v2:<hash of the arguments>`), stamped with the generations of
// its families that were read *before* it was computed (cache/stamp.hpp). A
// read fetches the counters and the value in one step (Cache::GetCurrent: one
// MGET on Redis) and serves the value only if its stamp equals the counters now.
//
// Why a slow reader cannot store stale rows: a reader reads generations G, then
// loads rows. If a writer commits and increments one of them in between, the
// reader stores its (possibly old) answer stamped G, which no later reader
// accepts, since they all read the incremented counter first. The next
// answer computed replaces it under the same key. Concurrent misses of one key
// under the same generations are computed once (SingleFlight; a reader that
// arrives after a write never joins a computation begun before it). Errors (an
// unknown home, a database failure) are never cached. Thread-safe.
//
// The stored value also carries its ETag, so that a hit hashes nothing, and a
// large one is stored gzip-compressed (kGzipMinBytes), compressed once when it
// is computed: a hit hands the stored bytes to the HTTP edge, which sends them
// as they are to a client that accepts gzip (http/encoding.hpp).
//
// Refresh after write (EnableRefresh): the API answers this server gave are
// remembered (RecentReads) with what recomputes them. After a commit, the hot
// ones the write retires (its homes, its families; read twice within the last
// minute), at most kRefreshLimit, most recently read first, are recomputed:
//
// - the first kRefreshBeforeAck in the writer's own thread, before the
//   counters are incremented: each reads its counters (after the commit), then
//   its rows, and is stored right after the increment, stamped with what the
//   increment made them, unless some counter moved by more than this write's
//   one (another write came in between: nothing is stored). Until the
//   increment, readers get the answer from before the write, which is allowed,
//   as the write is not acknowledged yet; from the increment on, they get the
//   new one, with no gap in which they all miss. On a busy home that gap is
//   what the next readers fall into (measured: a background refresh after the
//   increment left the 5%-write hit rate at 95%).
// - the rest on a small background pool at low priority, after the increment,
//   through the same single flight and fill lock as a reader (a reader arriving
//   meanwhile joins it instead of computing twice).
//
// Either way nothing computed before the commit is stored. The write pays the
// few computations its next readers would otherwise have paid. HTML fragments
// are not refreshed (their renders belong to the request that asked for them).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.hpp"
#include "base/work_pool.hpp"
#include "cache/cache.hpp"
#include "cache/keys.hpp"
#include "cache/single_flight.hpp"
#include "domain/range.hpp"
#include "service/cache_history.hpp"
#include "service/changes.hpp"
#include "service/reads.hpp"
#include "service/recent_reads.hpp"

namespace rota::service {

// How an answer was obtained (the X-Cache header):
//   kHit    — stored bytes, no database work;
//   kMiss   — computed from the database and stored;
//   kBypass — the caller asked not to use the cache; computed, not stored.
enum class CacheOutcome { kHit, kMiss, kBypass };
const char* OutcomeName(CacheOutcome o);

// The content coding of CachedAnswer::body (RFC 9110 §8.4.1):
//   kIdentity — the answer's bytes as they are;
//   kGzip     — one gzip member of them (service/gzip.hpp), as stored.
enum class BodyEncoding { kIdentity, kGzip };

// Answers of at least this many bytes are stored gzip-compressed, once, when
// they are computed (a week's shift list is ~47 KB of JSON); smaller ones stay
// identity, where gzip saves a few hundred bytes at most. HTML fragments too:
// a page puts its layout around the compressed bytes (web/html.hpp).
inline constexpr size_t kGzipMinBytes = 1024;

struct CachedAnswer {
  std::string body;  // in `encoding`
  CacheOutcome outcome;
  // A strong validator of the identity bytes: "\"<16 hex of XXH3>\"" (the
  // gzip representation's is derived from it at the HTTP edge).
  std::string etag;
  BodyEncoding encoding = BodyEncoding::kIdentity;
};

// The answer's identity bytes: its body, inflated if it is gzip.
Result<std::string> IdentityBody(const CachedAnswer& answer);

struct PrefixCount {
  int64_t hits = 0;
  int64_t misses = 0;
};

struct CacheTimeouts {
  std::chrono::seconds dashboard{300};  // alias `dashboard`
  std::chrono::seconds other{300};      // alias `default`: lists, reports, compliance, stats
  std::chrono::seconds fragments{900};  // alias `template_fragments`: HTML the pages render
};

// The version of the cached bytes' format, in every key (cache/keys.hpp):
// increment it whenever an answer's bytes change shape (a JSON field, the
// HTML of a fragment, the value's trailer), so that servers of two versions
// sharing one Redis during a rolling deploy never read each other's answers.
// 3: the encoding byte after the ETag (gzip-compressed large answers).
inline constexpr int kCacheFormat = 3;

class CachedReads final : public ChangeSink {
 public:
  CachedReads(ReadService& reads, cache::Cache& cache, CacheTimeouts timeouts = {})
      : reads_(reads), cache_(cache), timeouts_(timeouts) {}
  // Waits for the GetLater lookups still in the cache's hands (WaitForLookups).
  ~CachedReads() override;

  // One cacheable answer: where it is kept, the families it shows, and what
  // computes it. The methods below each build one (DashboardRead, ...) and Get it.
  using Compute = std::function<Result<std::string>()>;
  struct Read {
    std::string_view prefix;  // one of cache::prefix's constants
    int64_t home = 0;         // 0: over all homes
    unsigned families = 0;    // Family bits
    std::string args;         // everything else the answer depends on
    std::chrono::seconds ttl{0};
    Compute compute;  // owns what it uses
  };
  Read DashboardRead(int64_t home, domain::DateRange range) const;
  Read ShiftListRead(int64_t home, domain::DateRange range) const;
  Read StaffListRead(int64_t home) const;
  Read ComplianceRead(int64_t home, domain::DateRange range) const;
  Read MonthlyReportRead(int64_t home, YearMonth month) const;
  Read MonthlyReportCsvRead(int64_t home, YearMonth month) const;
  Read StatsRead(Date today) const;
  Read HomesRead(std::optional<int64_t> only, Date today) const;

  // The answer to `read`: a hit, or computed and stored (a miss), or with
  // `bypass` computed without the cache.
  Result<CachedAnswer> Get(const Read& read, bool bypass) { return Through(read, bypass); }

  // Get, without holding the calling thread while the cache is asked
  // (Cache::LookupsWait: redis:// without the near tier). `then` is called
  // once, on the cache's thread, with either the hit (`ready`) or, for
  // anything else, `finish`: the rest of Get (a miss's computation, or the
  // database when the cache is degraded), which must run on a thread that may
  // block (an I/O thread), never on the cache's. Nothing differs from Get but
  // where the waiting happens: the same key, counters, counts and refresh.
  struct Later {
    std::optional<Result<CachedAnswer>> ready;
    std::function<Result<CachedAnswer>()> finish;
  };
  void GetLater(Read read, std::function<void(Later)> then);
  // Returns once every GetLater has called its `then` (each is answered within
  // the cache's timeouts). The server calls it after it stops and before it
  // is destroyed, since a `then` replies to its sessions.
  void WaitForLookups() EXCLUDES(later_mu_);

  Result<CachedAnswer> Dashboard(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> ShiftList(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> StaffList(int64_t home, bool bypass);
  Result<CachedAnswer> MonthlyReport(int64_t home, YearMonth month, bool bypass);
  Result<CachedAnswer> Compliance(int64_t home, domain::DateRange range, bool bypass);
  Result<CachedAnswer> Stats(Date today, bool bypass);
  // The report as CSV: its own key, under the home's generation like the JSON.
  Result<CachedAnswer> MonthlyReportCsv(int64_t home, YearMonth month, bool bypass);
  // GET /api/homes for a scope: every home (`only` unset, an administrator) or
  // one (`only`, a manager's home). It shows each home's dashboard figures
  // (kHomesFamilies): an administrator's answer depends on those families of
  // every home (the global counters), a manager's on their home's. The two
  // scopes never share a key (the key's home segment is `global` or `h<id>`),
  // so no manager is served the list of all.
  Result<CachedAnswer> Homes(std::optional<int64_t> only, Date today, bool bypass);

  // An HTML fragment of a page (web/) about `home` (0: about all homes), under
  // the same generation as the reads it shows, so it is invalidated with their
  // data. `args` must name everything the fragment depends on but the home's
  // data (e.g. the page and the date); `render` builds it, typically from the
  // cached reads above. Never put per-user content (names, CSRF tokens) in it.
  // `families` (Family bits) are those of the data it shows; the overload
  // without them depends on all of them (any write to the home retires it).
  using Render = std::function<Result<std::string>()>;
  Result<CachedAnswer> Fragment(int64_t home, unsigned families, const std::string& args, bool bypass,
                                const Render& render);
  Result<CachedAnswer> Fragment(int64_t home, const std::string& args, bool bypass, const Render& render) {
    return Fragment(home, kAllFamilies, args, bypass, render);
  }

  // The families each read shows (the table the invalidation tests check).
  static constexpr unsigned kDashboardFamilies = kShifts | kStaff | kLeave | kCertifications | kUnits | kHome;
  static constexpr unsigned kShiftListFamilies = kShifts | kNotes | kLinks | kStaff | kUnits | kShiftTypes;
  static constexpr unsigned kStaffListFamilies = kStaff | kQualifications | kCertifications | kLeave | kUnits;
  static constexpr unsigned kReportFamilies = kShifts | kStaff | kShiftTypes;
  static constexpr unsigned kComplianceFamilies = kShifts | kUnits | kStaff | kCertifications;
  static constexpr unsigned kStatsFamilies = kHome | kStaff | kShifts | kLeave;
  static constexpr unsigned kHomesFamilies = kDashboardFamilies;  // each home's dashboard?days=7 figures

  // Increments the generations of the changed families, in each changed home
  // and over all homes; then, with refresh enabled, recomputes in the
  // background the recently read answers that this retired. Returns whether
  // every increment was delivered.
  bool Committed(const ChangeSet& changes) override;
  // The generation counters `changes` increments.
  static std::vector<std::string> CountersOf(const ChangeSet& changes);

  // Turns refresh after write on, with `threads` background threads (at nice
  // +5). Call before serving; once.
  void EnableRefresh(int threads);
  // Refreshes queued since start, and those finished (stored, found already
  // stored, or failed: a failure is only a reader's miss later).
  int64_t RefreshesQueued() const { return refreshes_queued_.load(); }
  int64_t RefreshesDone() const { return refreshes_done_.load(); }
  // Waits until every queued refresh has finished, at most `timeout`; true if they have.
  bool WaitForRefreshes(std::chrono::milliseconds timeout) const;
  static constexpr size_t kRefreshLimit = 32;     // refreshes per write at most
  static constexpr size_t kRefreshBeforeAck = 4;  // of which done before the write is answered

  // Hits and misses of each key prefix (cache/keys.hpp prefix::kAll order) since start.
  std::vector<std::pair<std::string_view, PrefixCount>> PrefixCounts() const;
  // The last hour of hits and misses, for the monitoring page's chart.
  const CacheHistory& history() const { return history_; }

 private:
  // `refreshable`: it may be kept and run again after a write (an HTML
  // fragment's render is not: it belongs to the request that asked for it).
  Result<CachedAnswer> Through(const Read& read, bool bypass, bool refreshable = true);
  // The miss path: computes once per (key, generations), stores, answers.
  Result<CachedAnswer> Fill(const std::string& key, const std::vector<std::string>& counters,
                            const std::vector<int64_t>& generations, std::chrono::seconds ttl, const Compute& compute);
  // An answer's generation counters and key, and what the cache holds for them
  // now (one GetCurrent): the counters' values, and the value if it is current.
  // `current` is nullopt when the backend is degraded.
  struct Lookup {
    std::vector<std::string> counters;
    std::string key;
    std::optional<cache::Cache::Current> current;
  };
  Lookup LookUp(const Read& read);
  // The key and counters of a lookup, not yet looked up.
  static Lookup ToLookUp(const Read& read);
  // Through's rest, once `read` has been looked up: the hit, or the miss's
  // computation, or (degraded) the database's answer.
  Result<CachedAnswer> Answer(const Read& read, Lookup& lookup, bool refreshable);
  // GetLater's answer once the cache has answered `lookup`.
  Later LookedUp(std::shared_ptr<const Read> read, std::shared_ptr<Lookup> lookup);
  // A remembered answer (RecentReads): what Through was asked for it, captured
  // once, from which both Refresh and PrepareRefresh run (cached_reads.cpp).
  class RefreshJob;
  // Recomputes one remembered answer if its stored value is no longer current.
  void Refresh(const RefreshJob& job);
  // Refresh's first half for before the write's increment: reads the counters
  // and computes the answer, for the increment to store; and what computes it
  // again if another write's increment came first. nullopt when there is
  // nothing to store.
  std::optional<RecentReads::Prepared> PrepareRefresh(const RefreshJob& job);

  ReadService& reads_;
  cache::Cache& cache_;
  CacheTimeouts timeouts_;
  cache::SingleFlight<Result<CachedAnswer>> flights_;
  struct Counts {
    std::atomic<int64_t> hits{0}, misses{0};
  };
  std::array<Counts, cache::prefix::kAll.size()> counts_;  // indexed like prefix::kAll
  CacheHistory history_;
  RecentReads recent_;
  std::atomic<int64_t> refreshes_queued_{0}, refreshes_done_{0};
  Mutex later_mu_;
  std::condition_variable_any later_cv_;
  int64_t later_in_flight_ GUARDED_BY(later_mu_) = 0;  // GetLater lookups not yet answered
  std::unique_ptr<WorkPool> refresher_;                // last: its tasks use the members above
};

}  // namespace rota::service
