// A key/value cache of response bytes. It has internal synchronization and may
// be safely accessed concurrently from any number of threads.
//
// Keys are short ASCII strings built by cache/keys.hpp (`dashboard:h1:g7:<hash>`,
// characters [A-Za-z0-9:_.-]); values are opaque bytes (std::string). The cache
// knows keys and bytes only, never shifts or homes.
//
// - TTL: every value is stored with a time to live; after it, the value is gone
//   (a Get misses). `kNoExpiry` (0 s) keeps a value until it is evicted or deleted.
// - Bounds (memory://): at most `max_entries` values and `max_bytes` bytes (key +
//   value sizes), at most `max_entries_per_home` values of one home (keys that
//   name one, keys.hpp) and `max_entries_per_prefix` of one kind in one home
//   (`shift:h1`). A Set that goes over a bound evicts least-recently-used values
//   first: of the same kind and home for the kind's bound, of the same home for
//   the home's, of any home for the others. A value that alone exceeds the byte bound is not stored. A Redis
//   evicts by its own maxmemory policy (run it with `volatile-lru`, so that
//   only values, which all have a TTL, are evicted, never counters).
// - A miss is not an error: Get returns std::nullopt when the key was never set,
//   expired, was evicted or deleted. Callers compute the value and Set it.
// - Counters (Incr/Counter) are a separate key space for generation numbers:
//   they are never evicted, never expire, and Delete/DeletePattern do not touch
//   them, so a generation can only grow. Get/Set never see counters.
// - Failure: the memory backend cannot fail. The Redis backend fails open: a
//   Get it cannot answer is a miss, a Set it cannot store is dropped, and
//   Counter answers nullopt so that callers bypass the cache altogether and
//   answer from the database.
// - Never stale after an outage: an Incr that cannot reach Redis is not lost.
//   The backend remembers the counter as a pending invalidation and stays
//   degraded (Counter and Get answer nullopt, Set is dropped) until it has
//   replayed every pending Incr against Redis. Only then does Counter answer
//   again, and with the bumped generation, so an entry stored before the write
//   can never be read after it. Across servers: a write that finds the breaker
//   open probes at once instead of waiting out retry_after, and the probe that
//   brings a server back replays what any server may still owe (the database's
//   outbox, SetOwedElsewhere); see redis_cache.cpp for what remains.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/status.hpp"

namespace rota::cache {

// A TTL meaning "keep until evicted or deleted".
inline constexpr std::chrono::seconds kNoExpiry{0};

struct CacheOptions {
  int64_t max_entries = 1000;      // memory://: values (counters excluded); >= 1
  int64_t max_bytes = 64ll << 20;  // memory://: sum of key + value sizes over all values; >= 1
  // Values one home may hold (keys.hpp HomeOfKey), so that one caller's scan
  // evicts its own home's values, not the others'; 0: max_entries / 8 (see
  // EntriesPerHome). memory:// rounds it up to a multiple of `shards` (each shard
  // holds its share); redis:// keeps an index per home (redis_cache.cpp).
  int64_t max_entries_per_home = 0;
  // Values one kind of answer (key prefix) of one home may hold (`shift:h1`),
  // so that a scan of one kind evicts that kind, not the home's dashboard; 0:
  // half the home's share (see EntriesPerPrefix). Kept like the home's bound.
  int64_t max_entries_per_prefix = 0;
  int shards = 16;                                  // memory://: lock stripes (<= max_entries, max_bytes)
  MonotonicClock clock;                             // TTLs; empty: std::chrono::steady_clock::now (tests pass a fake)
  std::string key_prefix = "rota";                  // redis://: every key is `<prefix>:...`; 1..64 of [A-Za-z0-9_.-]
  int pool_size = 50;                               // redis://: connections at most
  std::chrono::milliseconds connect_timeout{5000};  // redis://: a new connection
  std::chrono::milliseconds socket_timeout{5000};   // redis://: one command's reply
  // redis:// circuit breaker: after a failure every call fails fast (no network)
  // for this long; then one caller probes Redis (PING) and the result decides.
  std::chrono::milliseconds retry_after{1000};
  // rediss://: the CAs that sign the server's certificate (empty: the system's),
  // and an optional client certificate and its key (PEM files).
  std::string tls_ca_file, tls_cert_file, tls_key_file;
  // redis+sentinel://: the sentinels' own password (empty: none).
  std::string sentinel_password;
  // redis:// near tier (near_cache.hpp): an in-process copy of hot values and
  // generation counters, kept coherent across servers by invalidation messages.
  bool near = false;
  int64_t near_max_entries = 1000;                  // values held in process
  std::chrono::milliseconds near_ttl{5000};         // longest a near copy lives (a safety net)
  std::chrono::milliseconds near_ack_timeout{200};  // an Incr waits this long for every server's ack
};

// The values one home may hold under `options`: max_entries_per_home, or by
// default an eighth of max_entries (at least 1).
int64_t EntriesPerHome(const CacheOptions& options);

// The values one kind of answer of one home may hold under `options`:
// max_entries_per_prefix, or by default half of EntriesPerHome (at least 1).
int64_t EntriesPerPrefix(const CacheOptions& options);

// The backend's state (the `cache` of /healthz, CacheStats::health):
//   kHealthy  — "ok": answering; reads go through the cache.
//   kDegraded — "degraded": unreachable, its circuit breaker open, or still
//               owing pending Incrs: Counter answers nullopt, so reads bypass the
//               cache (X-Cache: BYPASS) and go to the database; it recovers by
//               itself. Each change of state is logged once.
enum class Health { kHealthy, kDegraded };

// One snapshot of the counters; serves `rota cache stats` and /api/cache/stats.
// hits, misses and sets are counted by this process at the event: exact and
// monotonic since the cache was made, on both backends (a Redis shared by
// several servers has its own server-wide numbers in server_hits/misses).
// `keys` and `bytes` describe this cache's live values at the snapshot (memory:
// expired values are collected first; Redis: a SCAN of our prefix, so a Stats
// call costs O(size of the whole keyspace) on the server — an operator's call,
// not a request-path one). evictions and expirations: memory counts its own;
// Redis reports INFO evicted_keys / expired_keys, server-wide.
struct CacheStats {
  std::string backend;                       // "memory" | "redis"
  int64_t hits = 0;                          // Get found a live value
  int64_t misses = 0;                        // Get found nothing (includes expired values)
  int64_t sets = 0;                          // Set calls
  int64_t evictions = 0;                     // live values removed to respect a bound
  int64_t expirations = 0;                   // values removed because their TTL had passed
  int64_t keys = 0;                          // live values now
  int64_t bytes = 0;                         // sum of key + value sizes of the live values now
  int64_t counters = 0;                      // counters (generation keys) now
  std::string health = "ok";                 // "ok" | "degraded"
  std::optional<int64_t> used_memory;        // memory: == bytes; redis: INFO used_memory (server-wide)
  std::optional<int64_t> connected_clients;  // redis: INFO connected_clients; memory: none
  std::optional<int64_t> server_hits;        // redis: INFO keyspace_hits (server-wide); memory: none
  std::optional<int64_t> server_misses;      // redis: INFO keyspace_misses (server-wide); memory: none
  // The near tier (redis:// with near = true): Gets and Counters it answered
  // without Redis, those it passed on, its values now, and whether its
  // invalidation channel is up (when down it holds nothing and answers nothing).
  std::optional<int64_t> near_hits, near_misses, near_keys;
  std::optional<bool> near_connected;
};

class Cache {
 public:
  virtual ~Cache() = default;

  // The value under `key`, or nullopt (a miss). A hit makes the value the most
  // recently used one.
  virtual std::optional<std::string> Get(std::string_view key) = 0;

  // Stores `value` under `key` for `ttl`, replacing any earlier value and its
  // TTL. kNoExpiry: no TTL. A negative TTL stores nothing (it removes the old value).
  virtual void Set(std::string_view key, std::string value, std::chrono::seconds ttl) = 0;

  // Removes the value under `key`; true if a live value was removed.
  virtual bool Delete(std::string_view key) = 0;

  // Atomically adds 1 to the counter `key` (creating it at 1) and returns the
  // new value; nullopt when the backend could not be reached (it then owes the
  // increment and stays degraded until it has delivered it).
  virtual std::optional<int64_t> Incr(std::string_view key) = 0;

  // An answer computed for after a write, before its increment (refresh after
  // write, service/cached_reads.cpp), for IncrMany to store with it.
  struct Prepared {
    std::string key;
    std::string value;                  // as SetCurrent takes it, unstamped
    std::vector<std::string> counters;  // the answer's counters, as given to GetCurrent
    std::vector<int64_t> generations;   // what GetCurrent read them as, before the computation
    std::chrono::seconds ttl{0};
    bool stored = false;  // set by IncrMany, before `then`
    // The counters once `keys` have been incremented and nothing else has
    // moved them: each of `generations` plus how often `keys` names it.
    std::vector<int64_t> GenerationsAfter(std::span<const std::string> keys) const;
  };

  // Incr of every key in `keys`, what each answered, in order: a write's
  // generation bumps, all of them announced before it is acknowledged. One
  // round trip on Redis (and, with the near tier, one wait for every server's
  // acknowledgement) instead of one per key. The default calls Incr per key.
  //
  // Each of `prepared` whose counters are, once incremented, exactly its
  // GenerationsAfter(keys) (no other write moved them since they were read) is
  // stored as SetCurrent stores it, stamped with them, and marked `stored`;
  // on Redis in the same script as the increments, so that no reader, on any
  // server, finds the new counters without the new answer. The others are
  // left to `then` (nothing else of them changes). Nothing is stored when the
  // increments could not be delivered, nor one whose counters and generations
  // differ in number or exceed kMaxStampedGenerations.
  //
  // `then`, if given, is called with the answers as soon as the counters are
  // incremented, before any other server is told (the near tier then waits for
  // their acknowledgements): what it stores under the new counters is in place
  // for this server's readers from the first moment they can see them.
  using AfterIncr = std::function<void(std::span<const std::optional<int64_t>>)>;
  virtual std::vector<std::optional<int64_t>> IncrMany(std::span<const std::string> keys,
                                                       std::span<Prepared> prepared = {}, const AfterIncr& then = {});

  // The counter `key`; nullopt when the backend
  // cannot answer right now (degraded): the caller then bypasses the cache.
  // A counter nobody incremented has a starting value: 0 in memory (it dies
  // with the process); on Redis the time in microseconds, set by the first
  // Counter or Incr, so that a Redis that restarts empty never repeats a
  // generation. Callers rely only on "Incr adds exactly one" and "never
  // goes back". Does not change hit/miss counts.
  virtual std::optional<int64_t> Counter(std::string_view key) = 0;

  // A value and the counters it depends on, read together (stamp.hpp): the
  // counters now (each started as Counter starts it) and the value under `key`
  // if it was stored by SetCurrent with exactly those counters; otherwise no
  // value, and a miss. nullopt when the backend cannot answer (degraded): the
  // caller bypasses the cache. One round trip on Redis (an MGET), none in memory.
  // REQUIRES: counters.size() <= kMaxStampedGenerations.
  struct Current {
    std::vector<int64_t> generations;  // counters[i] now
    std::optional<std::string> value;  // stored under exactly `generations`
  };
  virtual std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) = 0;

  // GetCurrent without holding the calling thread while the backend is asked:
  // `done` gets what GetCurrent would have answered, exactly once, on whichever
  // thread the answer arrives (possibly this one, before GetCurrentLater
  // returns). For callers on an I/O thread when LookupsWait(); `done` must be
  // quick (no database work: hand that back to an I/O thread). The default
  // answers at once, with GetCurrent.
  using CurrentDone = std::function<void(std::optional<Current>)>;
  virtual void GetCurrentLater(std::span<const std::string> counters, std::string_view key, CurrentDone done) {
    done(GetCurrent(counters, key));
  }
  // Whether GetCurrent waits on the network: true for redis:// without the
  // near tier (a round trip to Redis per lookup), where GetCurrentLater lets
  // one thread have many lookups in flight; false in memory and with the near
  // tier (most lookups are answered in process).
  virtual bool LookupsWait() const { return false; }

  // Stores `value` under `key`, stamped with the counters `generations` it was
  // computed under (read by GetCurrent before the computation began), with
  // Set's TTL and bounds.
  virtual void SetCurrent(std::string_view key, std::string value, std::span<const int64_t> generations,
                          std::chrono::seconds ttl);

  // A short lock for filling `key` across processes (stampede protection):
  // true if this caller may compute it; the lock lapses after `ttl` if it is
  // never released. Unlock releases it only if this cache object still holds
  // it. The memory backend always says true (single flight covers one
  // process); an unreachable Redis says true too (fail open).
  virtual bool TryLock(std::string_view key, std::chrono::milliseconds ttl) = 0;
  virtual void Unlock(std::string_view key) = 0;

  // The state now. On Redis, when the breaker's wait is over this call may
  // itself probe Redis (and replay pending Incrs), so it can take up to
  // connect_timeout + socket_timeout.
  virtual Health health() = 0;

  // Deletes every value whose key matches `glob` ('*' matches any run of
  // characters, every other character itself) and returns how many.
  // REQUIRES: ValidPattern(glob) (cache/keys.hpp); otherwise deletes nothing, returns 0.
  virtual int64_t DeletePattern(std::string_view glob) = 0;

  virtual CacheStats Stats() = 0;

  // Connects once and reports a configuration error: a Redis that refuses our
  // credentials, a certificate that does not verify, a refused TLS handshake.
  // Ok when the cache answered, and also when it could not be reached at all (an
  // unreachable cache is degraded, not misconfigured). memory:// is always Ok.
  virtual Status CheckAccess() { return Status::Ok(); }

  // A shared cache's probe, closing the breaker after an outage, first
  // increments the counters that `owed` returns: those any server may still owe
  // (service/owed_invalidations.hpp), since the server that owes them may find
  // Redis back later than this one. `owed` answering nullopt (the database
  // could not say) keeps the breaker open. It runs on whichever thread probes
  // and must not call the cache. memory:// ignores it.
  using OwedElsewhere = std::function<std::optional<std::vector<std::string>>()>;
  virtual void SetOwedElsewhere(OwedElsewhere owed) { (void)owed; }

  // Redis: its maxmemory-policy (INFO memory), for `rota check --deploy`; nullopt
  // for memory:// or when Redis cannot answer.
  virtual std::optional<std::string> MaxmemoryPolicy() { return std::nullopt; }

  // Counts shared by every process on this cache, for rate limits (the login
  // throttle): a window opens at the first CountUp of `key` and lasts
  // `window`; CountUp adds one, CountOf reads, ResetCount ends the window.
  // They live apart from values and counters (`P:w:<key>` on Redis, expiring
  // with their window; no pattern clear reaches them). nullopt: this backend
  // shares nothing with other processes (memory://, the default here) or
  // cannot be reached now: the caller counts in its own process instead.
  struct WindowCount {
    int64_t count = 0;
    std::chrono::milliseconds left{0};  // until the window ends; 0 when none is open
  };
  virtual std::optional<WindowCount> CountUp(std::string_view key, std::chrono::milliseconds window) {
    (void)key, (void)window;
    return std::nullopt;
  }
  virtual std::optional<WindowCount> CountOf(std::string_view key) {
    (void)key;
    return std::nullopt;
  }
  virtual void ResetCount(std::string_view key) { (void)key; }
};

// The cache named by `url`: "memory://" for the in-process cache, or
// "redis://[[user]:password@]host[:port][/db]" (port 6379, db 0 by default),
// "rediss://..." over TLS (base/url.hpp). Another URL is an `invalid` error naming
// the setting (and never showing the password). A Redis cache does not connect
// here: an unreachable Redis makes a degraded cache, not an error.
Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options = {});

}  // namespace rota::cache
