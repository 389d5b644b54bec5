// A key/value cache of response bytes. It has internal synchronization and may
// be safely accessed concurrently from any number of threads.
//
// Keys are short ASCII strings built by cache/keys.hpp (`dashboard:h1:g7:<hash>`,
// characters [A-Za-z0-9:_.-]); values are opaque bytes (std::string). The cache
// knows keys and bytes only, never shifts or homes.
//
// - TTL: every value is stored with a time to live; after it, the value is gone
//   (a Get misses). `kNoExpiry` (0 s) keeps a value until it is evicted or deleted.
// - Bounds: at most `max_entries` values and `max_bytes` bytes (key + value sizes).
//   A Set that goes over a bound evicts least-recently-used values first.
//   A value that alone exceeds the byte bound is not stored.
// - A miss is not an error: Get returns std::nullopt when the key was never set,
//   expired, was evicted or deleted. Callers compute the value and Set it.
// - Counters (Incr/Counter) are a separate key space for generation numbers:
//   they are never evicted, never expire, and Delete/DeletePattern do not touch
//   them, so a generation can only grow. Get/Set never see counters.
// - Failure: the memory backend cannot fail. The Redis backend fails open: a
//   Get it cannot answer is a miss, a Set it cannot store is dropped, and
//   Counter answers nullopt so that callers bypass the cache altogether. An
//   Incr it cannot deliver is remembered and replayed before the backend
//   answers Counter again (see redis_cache.cpp): a generation bump is never lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.hpp"

namespace rota::cache {

// The time source for TTLs. Tests pass a fake so they never sleep.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

// A TTL meaning "keep until evicted or deleted".
inline constexpr std::chrono::seconds kNoExpiry{0};

struct CacheOptions {
  int64_t max_entries = 1000;        // memory://: values (counters excluded); >= 1
  int64_t max_bytes = 64ll << 20;    // memory://: sum of key + value sizes over all values; >= 1
  int shards = 16;                   // memory://: lock stripes (<= max_entries, max_bytes)
  Clock clock;                       // empty: std::chrono::steady_clock::now
  std::string key_prefix = "rota";   // redis://: every key is `<prefix>:...`
  int pool_size = 50;                // redis://: connections at most
  std::chrono::milliseconds timeout{5000};      // redis://: connect and socket timeout
  std::chrono::milliseconds retry_after{1000};  // redis://: after a failure, fail fast this long
};

// The backend's state (the `cache` of /healthz):
//   kHealthy  — answering;
//   kDegraded — unreachable or owing replays of generation bumps: reads bypass
//               the cache and go to the database until it recovers by itself.
enum class Health { kHealthy, kDegraded };

// One snapshot of the counters; serves `rota cache stats` and /api/cache/stats.
// Counters are exact and monotonic since the cache was made; `keys` and `bytes`
// describe the live values at the snapshot (expired values are collected first).
struct CacheStats {
  std::string backend;      // "memory" | "redis"
  int64_t hits = 0;         // Get found a live value
  int64_t misses = 0;       // Get found nothing (includes expired values)
  int64_t sets = 0;         // Set calls
  int64_t evictions = 0;    // live values removed to respect a bound
  int64_t expirations = 0;  // values removed because their TTL had passed
  int64_t keys = 0;         // live values now
  int64_t bytes = 0;        // sum of key + value sizes of the live values now
  int64_t counters = 0;     // counters (generation keys) now
  std::string health = "ok";                   // "ok" | "degraded"
  std::optional<int64_t> used_memory;          // memory: == bytes; redis: INFO used_memory (server-wide)
  std::optional<int64_t> connected_clients;    // redis: INFO connected_clients; memory: none
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

  // The counter `key`, 0 if it was never incremented; nullopt while degraded.
  // Does not change hit/miss counts.
  virtual std::optional<int64_t> Counter(std::string_view key) = 0;

  // A short lock for filling `key` across processes (stampede protection):
  // true if this caller may compute it. The memory backend always says true
  // (single flight covers one process).
  virtual bool TryLock(std::string_view key, std::chrono::milliseconds ttl) = 0;
  virtual void Unlock(std::string_view key) = 0;

  virtual Health health() = 0;

  // Deletes every value whose key matches `glob` ('*' matches any run of
  // characters, every other character itself) and returns how many.
  // REQUIRES: ValidPattern(glob) (cache/keys.hpp); otherwise deletes nothing, returns 0.
  virtual int64_t DeletePattern(std::string_view glob) = 0;

  virtual CacheStats Stats() = 0;
};

// The cache named by `url`: "memory://" for the in-process cache. Any other
// scheme is an `invalid` error (redis:// is not built yet).
Result<std::unique_ptr<Cache>> MakeCache(const std::string& url, const CacheOptions& options = {});

}  // namespace rota::cache
