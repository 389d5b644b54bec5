// The Redis backend: synchronous connections in a bounded pool.
//
// Transport (redis_conn.hpp): our own blocking socket, OpenSSL for rediss://, and
// hiredis's reply reader for the protocol (Debian 12's hiredis 0.14 has no TLS of its
// own). Every new connection, the pool's and the near tier's publisher and subscriber
// alike, sends AUTH [user] password, SELECT and PING before anything else. A refusal
// (credentials, certificate) is a configuration error: logged as such, reported by
// CheckAccess so that `rota serve` will not start and `rota check` fails; at run time
// it degrades the cache like an outage. What an ACL user needs is in the README.
//
// Key space, under the deployment's prefix P (several deployments can share one Redis):
//   P:v:<key>   cached values, SET with EX <ttl>; the only keys a pattern clear touches
//               (`SCAN MATCH P:v:<glob>` + UNLINK; never KEYS, which blocks Redis).
//   P:c:<key>   generation counters, INCR, no TTL: with `maxmemory-policy volatile-*`
//               Redis never evicts them, and no glob can reach them (every glob is
//               applied under P:v:), so a generation only grows. A counter that does
//               not exist starts at the time in microseconds (not 0), so that a Redis
//               restarted without its data never hands out a generation it handed
//               out before: an answer computed before the restart and stored after
//               it, under its old generation, can then never be read again.
//   P:l:<key>   fill locks, SET NX PX, released by a compare-and-delete script.
// Values are the response bytes as they are (binary-safe arguments, no encoding layer).
// ValidPattern admits only [A-Za-z0-9:_.*-], so a glob means the same to SCAN
// MATCH as to GlobMatch ('?', '[', '\' never reach Redis).
//
// The pool. At most `pool_size` connections exist; a caller takes an idle one
// or opens a new one, and waits at most kPoolWait for one when all are busy,
// after which it fails open (a miss, a bypass). Each connection remembers the
// breaker epoch it was made in; a closed breaker starts a new epoch, and older
// idle connections (which may point at a Redis that has since restarted) are
// thrown away instead of reused.
//
// Failing open, with a circuit breaker. Any I/O error or timeout opens the
// breaker for `retry_after`: meanwhile every call returns at once (a miss, a
// dropped Set, Counter -> nullopt) without touching the network, so a dead
// Redis costs microseconds per request, not a connect timeout. After that one
// caller probes (PING on a fresh connection) while the others keep failing
// fast; success closes the breaker, failure opens it for another retry_after.
//
// Never stale after an outage. An Incr that cannot be delivered is added to
// `owed_` and the breaker is held open: the backend is degraded (Counter ->
// nullopt, so readers bypass the cache; Get -> miss; Set dropped) until a probe
// has replayed every owed INCR. Only then does the breaker close, so the first
// Counter to answer already includes every write made during the outage, and
// the entries stored under the old generation are never read again: readers
// build keys with the bumped generation. Invariant: owing_ => the breaker is
// open; both change only under owed_mu_ (the breaker may also open elsewhere,
// never close). An INCR whose reply was lost may be applied twice; a
// generation that grows by two is harmless. (Across several servers this holds
// for the server that took the write; see the README's deployment notes.)
//
// Counting: hits, misses and sets are counted by this process (exact, atomics);
// used memory, clients, evictions, expirations and keyspace hits/misses come
// from the server's INFO and are server-wide.
#include "cache/redis_cache.hpp"

#include <sodium.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cache/keys.hpp"
#include "cache/redis_conn.hpp"

namespace rota::cache {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a caller waits for a connection when all pool_size are busy.
constexpr std::chrono::milliseconds kPoolWait{100};
// Redis refuses an EX whose deadline overflows; longer TTLs are clamped to this.
constexpr std::chrono::seconds kMaxTtl{int64_t{100} * 365 * 86400};

bool ValidKeyPrefix(const std::string& p) {
  return !p.empty() && p.size() <= 64 &&
         p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
             std::string::npos;
}

// `name:<integer>` from an INFO reply.
std::optional<int64_t> InfoField(std::string_view info, std::string_view name) {
  std::string needle = "\n" + std::string(name) + ":";
  auto at = info.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  at += needle.size();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(info.data() + at, info.data() + info.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// Where a counter that does not exist starts: now in microseconds since the
// epoch (about 1.8e15, well inside int64 and exact in Lua's doubles). A
// restarted, empty Redis starts past every generation handed out before,
// unless a deployment made over a million writes per second per home.
std::string GenerationBase() {
  return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// INCR that starts a missing counter at GenerationBase() first (one atomic script).
Command IncrCommand(const std::string& counter_key) {
  static const std::string kScript =
      "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end "
      "return redis.call('INCR', KEYS[1])";
  return {"EVAL", kScript, "1", counter_key, GenerationBase()};
}

class RedisCache final : public Cache {
 public:
  RedisCache(RedisTarget target, const CacheOptions& options)
      : target_(std::move(target)), options_(options), token_(RandomToken()) {}

  ~RedisCache() override = default;

  std::optional<std::string> Get(std::string_view key) override {
    Reply r = Run({"GET", ValueKey(key)});
    if (r && r->type == REDIS_REPLY_STRING) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return std::string(r->str, r->len);
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }

  void Set(std::string_view key, std::string value, std::chrono::seconds ttl) override {
    sets_.fetch_add(1, std::memory_order_relaxed);
    if (ttl < std::chrono::seconds::zero()) {
      Run({"UNLINK", ValueKey(key)});
    } else if (ttl == kNoExpiry) {
      Run({"SET", ValueKey(key), std::move(value)});
    } else {
      Run({"SET", ValueKey(key), std::move(value), "EX", std::to_string(std::min(ttl, kMaxTtl).count())});
    }
  }

  bool Delete(std::string_view key) override {
    Reply r = Run({"UNLINK", ValueKey(key)});
    return r && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
  }

  std::optional<int64_t> Incr(std::string_view key) override {
    std::string k = CounterKey(key);
    // A generation bump is worth waiting for a busy pool: failing it degrades the cache.
    if (Reply r = Run(IncrCommand(k), options_.socket_timeout); r && r->type == REDIS_REPLY_INTEGER)
      return r->integer;
    std::lock_guard lock(owed_mu_);
    owed_.insert(std::move(k));
    owing_.store(true);
    // Hold the breaker open until a probe has replayed it (even if the failure was a full pool).
    if (down_until_.load() == 0) Open("an invalidation could not be delivered");
    return std::nullopt;
  }

  std::optional<int64_t> Counter(std::string_view key) override {
    std::string k = CounterKey(key);
    Reply r = Run({"GET", k});
    if (!r) return std::nullopt;
    if (r->type == REDIS_REPLY_NIL) {  // a first reader (or a Redis that lost its data) starts the counter
      std::vector<Reply> replies = Pipeline({{"SET", k, GenerationBase(), "NX"}, {"GET", k}}, kPoolWait);
      if (replies.size() != 2 || !replies[1]) return std::nullopt;
      r = std::move(replies[1]);
    }
    if (r->type != REDIS_REPLY_STRING) return std::nullopt;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(r->str, r->str + r->len, v);
    if (ec != std::errc() || p != r->str + r->len) return std::nullopt;
    return v;
  }

  bool TryLock(std::string_view key, std::chrono::milliseconds ttl) override {
    Reply r = Run({"SET", LockKey(key), token_, "NX", "PX", std::to_string(std::max<int64_t>(ttl.count(), 1))});
    // Unreachable Redis: compute locally (single flight still guards this process).
    return !r || r->type == REDIS_REPLY_STATUS;
  }

  void Unlock(std::string_view key) override {
    static const std::string kScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    Run({"EVAL", kScript, "1", LockKey(key), token_});
  }

  int64_t DeletePattern(std::string_view glob) override {
    if (!ValidPattern(glob)) return 0;
    int64_t deleted = 0;
    ForEachKeyBatch(ValueKey(glob), [&](std::vector<std::string>& batch) {
      Command unlink = {"UNLINK"};
      unlink.insert(unlink.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
      if (Reply r = Run(unlink); r && r->type == REDIS_REPLY_INTEGER) deleted += r->integer;
    });
    return deleted;
  }

  // One INFO, then a SCAN of our value keys with their STRLENs pipelined per
  // batch, and a SCAN of our counters: O(keyspace) work on the server.
  CacheStats Stats() override {
    CacheStats s;
    s.backend = "redis";
    s.hits = hits_.load();
    s.misses = misses_.load();
    s.sets = sets_.load();
    s.health = health() == Health::kHealthy ? "ok" : "degraded";
    if (Reply r = Run({"INFO"}); r && r->type == REDIS_REPLY_STRING) {
      std::string_view info(r->str, r->len);
      s.used_memory = InfoField(info, "used_memory");
      s.connected_clients = InfoField(info, "connected_clients");
      s.server_hits = InfoField(info, "keyspace_hits");
      s.server_misses = InfoField(info, "keyspace_misses");
      s.evictions = InfoField(info, "evicted_keys").value_or(0);
      s.expirations = InfoField(info, "expired_keys").value_or(0);
    }
    // bytes counts a key without our `P:v:` plus its value, as the memory backend does.
    const size_t namespace_size = ValueKey("").size();
    ForEachKeyBatch(ValueKey("*"), [&](std::vector<std::string>& batch) {
      std::vector<Command> strlens;
      for (const auto& k : batch) strlens.push_back({"STRLEN", k});
      std::vector<Reply> lens = Pipeline(strlens, kPoolWait);
      for (size_t i = 0; i < lens.size(); ++i) {
        if (lens[i]->type != REDIS_REPLY_INTEGER || lens[i]->integer == 0) continue;  // gone meanwhile
        ++s.keys;
        s.bytes += lens[i]->integer + static_cast<int64_t>(batch[i].size() - namespace_size);
      }
    });
    ForEachKeyBatch(CounterKey("*"),
                    [&](std::vector<std::string>& batch) { s.counters += static_cast<int64_t>(batch.size()); });
    return s;
  }

  Health health() override { return Available() && !owing_.load() ? Health::kHealthy : Health::kDegraded; }

  std::optional<std::string> MaxmemoryPolicy() override {
    Reply r = Run({"INFO", "memory"});
    if (!r || r->type != REDIS_REPLY_STRING) return std::nullopt;
    std::string_view info(r->str, r->len);
    constexpr std::string_view kField = "\nmaxmemory_policy:";
    auto at = info.find(kField);
    if (at == std::string_view::npos) return std::nullopt;
    info.remove_prefix(at + kField.size());
    return std::string(info.substr(0, info.find_first_of("\r\n")));
  }

 private:
  struct Pooled {
    std::unique_ptr<Connection> connection;
    uint64_t epoch = 0;  // the breaker epoch it was made in
  };

  std::string ValueKey(std::string_view k) const { return options_.key_prefix + ":v:" + std::string(k); }
  std::string CounterKey(std::string_view k) const { return options_.key_prefix + ":c:" + std::string(k); }
  std::string LockKey(std::string_view k) const { return options_.key_prefix + ":l:" + std::string(k); }

  static std::string RandomToken() {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    return hex;
  }

  // SCAN cursor MATCH pattern COUNT 500, handing each non-empty batch to fn.
  // Stops early (silently) if Redis fails midway.
  void ForEachKeyBatch(const std::string& pattern, const std::function<void(std::vector<std::string>&)>& fn) {
    std::string cursor = "0";
    do {
      Reply r = Run({"SCAN", cursor, "MATCH", pattern, "COUNT", "500"});
      if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return;
      cursor.assign(r->element[0]->str, r->element[0]->len);
      std::vector<std::string> batch;
      for (size_t i = 0; i < r->element[1]->elements; ++i)
        batch.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
      if (!batch.empty()) fn(batch);
    } while (cursor != "0");
  }

  // --- the breaker -----------------------------------------------------------

  // True when calls may go to Redis. While the breaker is open and its time
  // has come, one caller probes; the others keep failing fast.
  bool Available() {
    int64_t until = down_until_.load();
    if (until == 0) return true;
    if (SteadyClock::now().time_since_epoch().count() < until) return false;
    if (probing_.exchange(true)) return false;
    bool ok = Probe();
    probing_.store(false);
    return ok;
  }

  // PING on a fresh connection, then the owed INCRs; closes the breaker on
  // success (under owed_mu_, so that no Incr can become owed unnoticed).
  bool Probe() {
    std::unique_ptr<Connection> c = Connect();
    if (!c) return false;
    Reply pong = c->Call({"PING"});
    if (!pong) return Open(c->error());
    std::lock_guard lock(owed_mu_);
    while (!owed_.empty()) {
      Reply r = c->Call(IncrCommand(*owed_.begin()));
      if (!r || r->type != REDIS_REPLY_INTEGER) return Open("replaying invalidations failed");
      owed_.erase(owed_.begin());
    }
    owing_.store(false);
    epoch_.fetch_add(1);  // connections made before the outage are not reused
    down_until_.store(0);
    if (logged_down_.exchange(false)) spdlog::warn("cache: redis is back ({})", Where());
    return true;
  }

  // Opens the breaker for retry_after; logs once per state change. Returns false.
  bool Open(const std::string& why) {
    down_until_.store((SteadyClock::now() + options_.retry_after).time_since_epoch().count());
    if (!logged_down_.exchange(true))
      spdlog::warn("cache: redis unreachable ({}: {}), serving from the database", Where(), why);
    return false;
  }

  // --- the pool --------------------------------------------------------------

  std::string Where() const { return fmt::format("{}:{}", target_.node.host, target_.node.port); }

  // A new connection, authenticated, on the configured db; or nullptr, after
  // opening the breaker. A refusal (credentials, certificate) is logged as the
  // configuration error it is, once per distinct message, and remembered for CheckAccess.
  std::unique_ptr<Connection> Connect() {
    ConnectError error;
    std::unique_ptr<Connection> c = Connection::Open(target_.node, target_.connect, &error);
    if (c) return c;
    if (error.kind == ConnectError::kRefused) {
      std::lock_guard lock(refused_mu_);
      if (refused_ != error.message) spdlog::error("cache: {} (check ROTA_CACHE_URL and the TLS settings)", error.message);
      refused_ = error.message;
    }
    Open(error.message);
    return nullptr;
  }

 public:
  Status CheckAccess() override {
    ConnectError error;
    if (Connection::Open(target_.node, target_.connect, &error) || error.kind != ConnectError::kRefused) return {};
    return Error::Invalid("ROTA_CACHE_URL / [cache] url: " + error.message, "cache_url");
  }

 private:
  // A connection of the current epoch, or nullptr when the pool stays
  // exhausted for `wait` or Redis cannot be reached (which opens the breaker).
  std::optional<Pooled> Acquire(std::chrono::milliseconds wait) {
    const uint64_t epoch = epoch_.load();
    {
      std::unique_lock lock(pool_mu_);
      // Idle connections made before the breaker last closed may point at a dead or restarted Redis.
      open_ -= static_cast<int>(std::erase_if(idle_, [&](const Pooled& p) { return p.epoch != epoch; }));
      if (!pool_cv_.wait_for(lock, wait, [&] { return !idle_.empty() || open_ < options_.pool_size; }))
        return std::nullopt;  // exhausted: fail open for this call
      if (!idle_.empty()) {
        Pooled p = std::move(idle_.back());
        idle_.pop_back();
        return p;
      }
      ++open_;
    }
    std::unique_ptr<Connection> c = Connect();
    if (!c) {
      Forget();
      return std::nullopt;
    }
    return Pooled{std::move(c), epoch};
  }

  void Release(Pooled p) {
    std::lock_guard lock(pool_mu_);
    if (p.epoch == epoch_.load()) {
      idle_.push_back(std::move(p));
    } else {
      --open_;
    }
    pool_cv_.notify_one();
  }

  void Forget() {
    std::lock_guard lock(pool_mu_);
    --open_;
    pool_cv_.notify_one();
  }

  // The commands, pipelined on one connection: one reply each (a Redis error
  // reply is returned as is), or none at all on any failure — an I/O error or
  // timeout opens the breaker. Fails at once while the breaker is open or an
  // Incr is owed.
  std::vector<Reply> Pipeline(const std::vector<Command>& commands, std::chrono::milliseconds pool_wait) {
    if (!Available() || owing_.load()) return {};
    std::optional<Pooled> p = Acquire(pool_wait);
    if (!p) return {};
    Connection* c = p->connection.get();
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    bool sent = c->Send(commands);
    for (size_t i = 0; sent && i < commands.size(); ++i) {
      Reply r = c->Read();
      if (!r) break;
      replies.push_back(std::move(r));
    }
    if (replies.size() != commands.size()) {
      std::string why = c->error();
      p.reset();
      Forget();
      Open(why);
      return {};
    }
    Release(std::move(*p));
    return replies;
  }

  Reply Run(const Command& command, std::chrono::milliseconds pool_wait = kPoolWait) {
    std::vector<Reply> replies = Pipeline({command}, pool_wait);
    return replies.empty() ? nullptr : std::move(replies.front());
  }

  const RedisTarget target_;
  const CacheOptions options_;
  const std::string token_;  // identifies this cache object's fill locks

  std::atomic<int64_t> hits_{0}, misses_{0}, sets_{0};
  std::atomic<int64_t> down_until_{0};  // steady-clock ticks; 0 = closed (Redis usable)
  std::atomic<bool> probing_{false};
  std::atomic<bool> logged_down_{false};
  std::atomic<uint64_t> epoch_{0};      // bumped each time the breaker closes

  std::mutex owed_mu_;
  std::set<std::string> owed_;      // GUARDED_BY(owed_mu_): counter keys whose INCR was not delivered
  std::atomic<bool> owing_{false};  // !owed_.empty(); written under owed_mu_, read without it

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Pooled> idle_;  // GUARDED_BY(pool_mu_)
  int open_ = 0;              // GUARDED_BY(pool_mu_): connections in existence (idle or in use)

  std::mutex refused_mu_;
  std::string refused_;  // GUARDED_BY(refused_mu_): the last refusal logged
};

}  // namespace

Result<RedisTarget> MakeRedisTarget(const std::string& url, const CacheOptions& options) {
  auto parsed = ParseCacheUrl(url);
  if (!parsed) return Error::Invalid(parsed.error().message, "cache_url");
  if (parsed->kind != CacheUrl::Kind::kRedis)
    return Error::Invalid(fmt::format("ROTA_CACHE_URL / [cache] url '{}' is not a redis:// or rediss:// URL",
                                      RedactUrl(url)),
                          "cache_url");
  if (options.connect_timeout <= std::chrono::milliseconds::zero() ||
      options.socket_timeout <= std::chrono::milliseconds::zero())
    return Error::Invalid("cache timeouts must be positive", "cache_timeout");
  RedisTarget t;
  t.url = *parsed;
  t.node = parsed->nodes.front();
  t.connect.user = parsed->user;
  t.connect.password = parsed->password;
  t.connect.db = parsed->db;
  t.connect.connect_timeout = options.connect_timeout;
  t.connect.socket_timeout = options.socket_timeout;
  if (parsed->tls) {
    auto tls = TlsContext::Make({options.tls_ca_file, options.tls_cert_file, options.tls_key_file});
    if (!tls) return std::move(tls).error();
    t.connect.tls = std::move(*tls);
  } else if (!options.tls_ca_file.empty() || !options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    return Error::Invalid("the cache TLS files are set but ROTA_CACHE_URL is not rediss:// (TLS would not be used)",
                          "cache_url");
  }
  return t;
}

Result<std::unique_ptr<Cache>> NewRedisCache(const std::string& url, const CacheOptions& options) {
  auto target = MakeRedisTarget(url, options);
  if (!target) return std::move(target).error();
  if (options.pool_size < 1) return Error::Invalid("cache pool size must be at least 1", "cache_pool_size");
  if (!ValidKeyPrefix(options.key_prefix))
    return Error::Invalid("cache key prefix must be 1..64 characters of [A-Za-z0-9_.-]", "cache_key_prefix");
  if (sodium_init() < 0) return Error::Internal("libsodium failed to initialise");
  return std::unique_ptr<Cache>(new RedisCache(std::move(*target), options));
}

}  // namespace rota::cache
