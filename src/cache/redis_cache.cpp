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
// Sentinel (redis+sentinel://). Every new connection asks the sentinels, in turn, for
// the primary of the service (SENTINEL get-master-addr-by-name), connects to it and
// trusts it only if the node itself answers ROLE master. A watcher thread subscribes
// to +switch-master and drops idle connections when a failover is announced. The hard
// part is truthfulness: replication is asynchronous, so a promoted replica may lack the
// last generation bumps the old primary acknowledged, while holding values cached
// under the older generations; a reader would then be handed an answer from before an
// acknowledged write. So in Sentinel mode every key lives under a namespace, the first
// 12 characters of the primary's replication id (INFO replication master_replid):
// `P:<replid>:v:...`, `P:<replid>:c:...`. A promoted replica starts a new replication
// id, so everything cached under the old primary becomes unreachable at once, on every
// server, before anything is served from the new one: its counters start afresh at the
// time in microseconds (above every generation handed out before, see below) and its
// values are empty. Commands are built with a mark in place of the namespace and each
// connection fills in its own (Pipeline), so a command can never mix a key of the old
// primary with a connection to the new one. The price is a cold cache after a
// failover, and the old namespace's counters left behind (a few per home; values
// expire by their TTL).
//
// Key space, under the deployment's prefix P (several deployments can share one Redis):
//   P:v:<key>   cached values, SET with EX <ttl>; the only keys a pattern clear touches
//               (`SCAN MATCH P:v:<glob>` + UNLINK; never KEYS, which blocks Redis).
//   P:c:<key>   generation counters (`gen:h<home>:<family>`, service/cached_reads.hpp),
//               INCR, no TTL: with `maxmemory-policy volatile-*`
//               Redis never evicts them, and no glob can reach them (every glob is
//               applied under P:v:), so a generation only grows. A counter that does
//               not exist starts at the time in microseconds (not 0), so that a Redis
//               restarted without its data never hands out a generation it handed
//               out before: an answer computed before the restart and stored after
//               it, under its old generation, can then never be read again.
//   P:l:<key>   fill locks, SET NX PX, released by a compare-and-delete script.
//   P:i:<home>  a home's index: the sorted set of its value keys (P:v:<prefix>:<home>:...)
//               by expiry time, so that a home holds at most max_entries_per_home values,
//   P:i:<prefix>:<home>  and a kind's in that home, at most max_entries_per_prefix
//               (BoundedSet): one caller's scan of distinct ranges unlinks the oldest
//               values of that kind in that home, and neither Redis's memory nor its
//               LRU goes to the scan; the home's dashboard stays.
//               Expires with its longest-lived value; a member whose value is already
//               gone (cleared, evicted) costs nothing but its place, and is popped first.
// Values are the response bytes as they are (binary-safe arguments, no encoding layer),
// followed, when stored by SetCurrent, by the trailer of the generations they were
// computed under (stamp.hpp).
//
// One round trip per hit. A cached read needs its counters and its value; GetCurrent
// asks for both in one MGET (`MGET P:c:gen:h1:shifts ... P:v:dashboard:h1:v2:<hash>`)
// and compares the value's stamp with the counters here, so a hit costs Redis one
// command. Only a counter that does not exist yet costs a second round trip (it is
// started, once in its life, as Counter starts it). Concurrent GetCurrent calls share
// one pipeline (RunBatched); GetCurrentLater does not wait at all: its MGET is queued
// for the lookup thread, which sends all that are queued in one pipeline and answers
// each caller from the reply, so that an I/O thread can have many lookups in flight.
//
// One step per write. A write's increments go in one script (IncrManyCommand), and
// with them the answers its server prepared for after it (refresh after write,
// Cache::Prepared): each is stored there, stamped with the new counters, if they
// came out as predicted (no other write came between). Redis runs a script alone,
// so a reader on any server finds either the old counters and the old answer or
// the new counters and the new one, never the new counters and no answer yet.
//
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
// generation that grows by two is harmless.
//
// Across servers. Each server's breaker keeps its own clock, so when Redis comes
// back one server (B) may be reading it while another (A) still treats it as
// down (bench/soak saw 0.5-1 s between them). Two rules keep B from answering
// with a value cached before a write that A acknowledged:
//   - a write does not wait for retry_after: its IncrMany probes at once
//     (AvailableForWrite), so if Redis is back the bump lands before the write
//     is acknowledged; only a Redis that A cannot reach at that moment leaves
//     it owed;
//   - what is owed is also in the database (a write's outbox row stays until its
//     bump is delivered, service/owed_invalidations.hpp), and the probe that
//     closes any server's breaker increments those counters too
//     (SetOwedElsewhere) before that server reads again. So B, back first, bumps
//     what A owes from the outage before it serves anything Redis kept.
// What remains: a server cut off from a Redis that the others still reach owes
// its writes' bumps until the others' outbox sweep replays them (~3 s).
//
// Counting: hits, misses and sets are counted by this process (exact, atomics);
// used memory, clients, evictions, expirations and keyspace hits/misses come
// from the server's INFO and are server-wide.
#include "cache/redis_cache.hpp"

#include <sodium.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/mutex.hpp"
#include "cache/keys.hpp"
#include "cache/redis_conn.hpp"
#include "cache/stamp.hpp"

namespace rota::cache {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a caller waits for a connection when all pool_size are busy.
constexpr std::chrono::milliseconds kPoolWait{100};
// A write's probe waits at most this for Redis (AvailableForWrite).
constexpr std::chrono::milliseconds kWriteProbeTimeout{250};
// Stands for the key namespace in commands built before a connection is chosen
// (Sentinel); '@' is in no key prefix and no key.
const std::string kNsMark(12, '@');
// Redis refuses an EX whose deadline overflows; longer TTLs are clamped to this.
constexpr std::chrono::seconds kMaxTtl{int64_t{100} * 365 * 86400};

bool ValidKeyPrefix(const std::string& p) {
  return !p.empty() && p.size() <= 64 &&
         p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == std::string::npos;
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
  return std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

class RedisCache final : public Cache {
 public:
  RedisCache(RedisTarget target, const CacheOptions& options)
      : target_(std::move(target)),
        options_(options),
        per_home_(EntriesPerHome(options)),
        per_prefix_(EntriesPerPrefix(options)),
        token_(RandomToken()) {
    if (target_.sentinel()) watcher_ = std::thread([this] { WatchSentinels(); });
  }

  ~RedisCache() override {
    std::thread lookups;
    {
      MutexLock lock(later_mu_);
      later_stop_ = true;
      lookups = std::move(lookups_);
    }
    later_cv_.notify_all();
    if (lookups.joinable()) lookups.join();
    if (!watcher_.joinable()) return;
    {
      MutexLock lock(watch_mu_);
      stop_ = true;
      if (watching_) watching_->Shutdown();  // wakes the blocked read
    }
    watch_cv_.notify_all();
    watcher_.join();
  }

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
    const std::string_view home = HomeOfKey(key);
    if (ttl < std::chrono::seconds::zero()) {
      Run({"UNLINK", ValueKey(key)});
    } else if (ttl == kNoExpiry) {
      Run({"SET", ValueKey(key), std::move(value)});
    } else if (home.empty()) {
      Run({"SET", ValueKey(key), std::move(value), "EX", std::to_string(std::min(ttl, kMaxTtl).count())});
    } else {
      Run(BoundedSet(ValueKey(key), IndexKey(KindOfKey(key)), IndexKey(home), std::move(value),
                     std::min(ttl, kMaxTtl)));
    }
  }

  bool Delete(std::string_view key) override {
    Reply r = Run({"UNLINK", ValueKey(key)});
    return r && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
  }

  // IncrMany of one key: one path, and one way of owing, for every generation bump.
  std::optional<int64_t> Incr(std::string_view key) override {
    const std::string k(key);
    return IncrMany(std::span(&k, 1), {}, {}).front();
  }

  std::vector<std::optional<int64_t>> IncrMany(std::span<const std::string> keys, std::span<Prepared> prepared,
                                               const AfterIncr& then) override {
    std::vector<std::optional<int64_t>> out(keys.size());
    if (!keys.empty() && !DeliverIncrMany(keys, prepared, out)) out.assign(keys.size(), std::nullopt);
    if (then) then(out);
    return out;
  }

  std::optional<int64_t> Counter(std::string_view key) override {
    std::string k = CounterKey(key);
    Reply r = Run({"GET", k});
    if (!r) return std::nullopt;
    if (r->type == REDIS_REPLY_NIL) return StartCounter(k);
    return CounterValue(r.get());
  }

  // One MGET of the counters and the value. A counter that does not exist yet
  // is started as Counter starts it: a second round trip, once in its life.
  std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) override {
    Command mget = CurrentCommand(counters, key);
    Reply r = RunBatched(mget);
    return ParseCurrent(r.get(), mget);
  }

  // The same MGET, queued for the lookup thread (Lookups), which sends every
  // lookup queued meanwhile in one pipeline and calls each `done` with its
  // answer. A caller never waits for Redis, so one I/O thread can have many
  // lookups in flight (the hit path of redis:// without the near tier). While
  // the breaker is open (or an Incr is owed) `done` is told nullopt at once,
  // here: the caller's synchronous fallback probes, not the lookup thread.
  void GetCurrentLater(std::span<const std::string> counters, std::string_view key, CurrentDone done) override {
    if (down_until_.load() != 0 || owing_.load()) return done(std::nullopt);
    LaterLookup lookup{CurrentCommand(counters, key), std::move(done)};
    {
      MutexLock lock(later_mu_);
      if (!later_stop_) {
        if (!lookups_.joinable()) lookups_ = std::thread([this] { Lookups(); });
        later_queue_.push_back(std::move(lookup));
        if (later_queue_.size() == 1) later_cv_.notify_one();
        return;
      }
    }
    lookup.done(std::nullopt);  // shutting down
  }

  bool LookupsWait() const override { return true; }

  void SetOwedElsewhere(OwedElsewhere owed) override {
    MutexLock lock(elsewhere_mu_);
    owed_elsewhere_ = std::move(owed);
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

  // One EVAL each, so a window's count and expiry change together.
  std::optional<WindowCount> CountUp(std::string_view key, std::chrono::milliseconds window) override {
    static const std::string kScript =
        "local n = redis.call('incr', KEYS[1]) "
        "local t = redis.call('pttl', KEYS[1]) "
        "if t < 0 then redis.call('pexpire', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end "
        "return {n, t}";
    return WindowReply(
        Run({"EVAL", kScript, "1", WindowKey(key), std::to_string(std::max<int64_t>(window.count(), 1))}));
  }

  std::optional<WindowCount> CountOf(std::string_view key) override {
    static const std::string kScript =
        "local n = tonumber(redis.call('get', KEYS[1]) or '0') "
        "local t = redis.call('pttl', KEYS[1]) "
        "if t < 0 then t = 0 end "
        "return {n, t}";
    return WindowReply(Run({"EVAL", kScript, "1", WindowKey(key)}));
  }

  void ResetCount(std::string_view key) override { Run({"UNLINK", WindowKey(key)}); }

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
    std::string ns;      // the key namespace it serves (Sentinel: the primary's replication id)
    uint64_t epoch = 0;  // the breaker epoch it was made in
  };

  // redis+sentinel://: `P:<ns>:v:...`, where the mark stands for the namespace (the
  // primary's replication id) until a connection replaces it with its own (Pipeline).
  std::string Space() const { return target_.sentinel() ? options_.key_prefix + ":" + kNsMark : options_.key_prefix; }
  std::string ValueKey(std::string_view k) const { return Space() + ":v:" + std::string(k); }
  std::string CounterKey(std::string_view k) const { return Space() + ":c:" + std::string(k); }
  std::string LockKey(std::string_view k) const { return Space() + ":l:" + std::string(k); }
  // The index of a home (`h1`) or of a kind of answer in a home (`shift:h1`).
  std::string IndexKey(std::string_view group) const { return Space() + ":i:" + std::string(group); }

  // Starts the counter `k` (a full counter key) at GenerationBase() unless
  // someone else started it first, and reads it.
  std::optional<int64_t> StartCounter(const std::string& k) {
    std::vector<Reply> replies = Pipeline({{"SET", k, GenerationBase(), "NX"}, {"GET", k}}, kPoolWait);
    if (replies.size() != 2 || !replies[1]) return std::nullopt;
    return CounterValue(replies[1].get());
  }

  static std::optional<int64_t> CounterValue(const redisReply* r) {
    if (r->type != REDIS_REPLY_STRING) return std::nullopt;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(r->str, r->str + r->len, v);
    if (ec != std::errc() || p != r->str + r->len) return std::nullopt;
    return v;
  }

  // SET of a home's value that keeps its kind within max_entries_per_prefix values
  // and its home within max_entries_per_home: each index (a sorted set of value keys
  // by expiry time), the kind's first, drops what has expired, and if its group is
  // still over its share, the values that expire first (the oldest stored, TTLs
  // being equal per kind) are unlinked, and taken out of the other index too. (A
  // value the home's bound unlinks stays a member of its own kind's index, which
  // is not among the script's keys, until it is popped or expires there: it costs
  // that index a place, never a wrong answer.) One script, one round trip, atomic.
  // Each index expires with the longest-lived value in it. IncrManyCommand stores
  // prepared answers with the same function.
  static constexpr std::string_view kBoundedSetLua =
      "local function bounded_set(value_key, kind_index, home_index, value, ttl, now, per_kind, per_home) "
      "  redis.call('SET', value_key, value, 'EX', ttl) "
      "  local ttl_ms = tonumber(ttl) * 1000 "
      "  local indexes = {{kind_index, home_index, per_kind}, {home_index, kind_index, per_home}} "
      "  for _, x in ipairs(indexes) do "
      "    local index, other = x[1], x[2] "
      "    redis.call('ZADD', index, now + ttl_ms, value_key) "
      "    redis.call('ZREMRANGEBYSCORE', index, '-inf', now) "
      "    local over = redis.call('ZCARD', index) - tonumber(x[3]) "
      "    if over > 0 then "
      "      local old = redis.call('ZPOPMIN', index, over) "
      "      for i = 1, #old, 2 do "
      "        if old[i] ~= value_key then redis.call('UNLINK', old[i]) redis.call('ZREM', other, old[i]) end "
      "      end "
      "    end "
      "    if redis.call('PTTL', index) < ttl_ms then redis.call('PEXPIRE', index, ttl_ms) end "
      "  end "
      "end ";

  static std::string NowMs() {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  }

  Command BoundedSet(std::string value_key, std::string kind_index, std::string home_index, std::string value,
                     std::chrono::seconds ttl) const {
    static const std::string kScript = std::string(kBoundedSetLua) +
                                       "bounded_set(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], tonumber(ARGV[3]), "
                                       "ARGV[4], ARGV[5])";
    return {"EVAL",
            kScript,
            "3",
            std::move(value_key),
            std::move(kind_index),
            std::move(home_index),
            std::move(value),
            std::to_string(ttl.count()),
            NowMs(),
            std::to_string(per_prefix_),
            std::to_string(per_home_)};
  }

  // INCR of every counter key, each missing one started at GenerationBase()
  // first; then each prepared answer (Cache::Prepared) whose counters are now
  // exactly its GenerationsAfter(keys) is stored, stamped with them (as Set
  // stores it: bounded for a home's key, plain otherwise). One script: no
  // reader can find the new counters without the answers prepared for them.
  // Its reply: the new counter values, then 1 or 0 per prepared answer (stored
  // or not). Incr, IncrMany and the replay of owed increments all send it, so a
  // counter is started and bumped one way only.
  //   KEYS: the n counters; per prepared answer its value key, for a home's key
  //         its kind's and home's indexes, then its m counters.
  //   ARGV: base, n, now in ms, per kind, per home; per prepared answer
  //         mode ('b' bounded, 'e' SET EX, 'p' no TTL), m, TTL, stamped value,
  //         the m counter values it requires.
  Command IncrManyCommand(std::span<const std::string> keys, std::span<Prepared* const> prepared = {}) const {
    static const std::string kScript = std::string(kBoundedSetLua) +
                                       "local out, n, now = {}, tonumber(ARGV[2]), tonumber(ARGV[3]) "
                                       "for i = 1, n do "
                                       "  local k = KEYS[i] "
                                       "  if redis.call('EXISTS', k) == 0 then redis.call('SET', k, ARGV[1]) end "
                                       "  out[i] = redis.call('INCR', k) "
                                       "end "
                                       "local key, arg = n + 1, 6 "
                                       "while arg <= #ARGV do "
                                       "  local mode, m, ttl, value = ARGV[arg], tonumber(ARGV[arg + 1]), "
                                       "                              ARGV[arg + 2], ARGV[arg + 3] "
                                       "  local value_key, kind_index, home_index = KEYS[key] "
                                       "  if mode == 'b' then kind_index, home_index = KEYS[key + 1], KEYS[key + 2] "
                                       "                 key = key + 3 else key = key + 1 end "
                                       "  arg = arg + 4 "
                                       "  local current = 1 "
                                       "  for j = 0, m - 1 do "
                                       "    if redis.call('GET', KEYS[key + j]) ~= ARGV[arg + j] then current = 0 end "
                                       "  end "
                                       "  key, arg = key + m, arg + m "
                                       "  if current == 1 then "
                                       "    if mode == 'b' then bounded_set(value_key, kind_index, home_index, value, "
                                       "                                    ttl, now, ARGV[4], ARGV[5]) "
                                       "    elseif mode == 'e' then redis.call('SET', value_key, value, 'EX', ttl) "
                                       "    else redis.call('SET', value_key, value) end "
                                       "  end "
                                       "  out[#out + 1] = current "
                                       "end "
                                       "return out";
    Command c{"EVAL", kScript, ""};
    for (const auto& key : keys) c.push_back(CounterKey(key));
    Command args{GenerationBase(), std::to_string(keys.size()), NowMs(), std::to_string(per_prefix_),
                 std::to_string(per_home_)};
    for (const Prepared* q : prepared) {
      const Prepared& p = *q;
      const std::string_view home = HomeOfKey(p.key);
      const char mode = p.ttl == kNoExpiry ? 'p' : home.empty() ? 'e' : 'b';
      c.push_back(ValueKey(p.key));
      if (mode == 'b') {
        c.push_back(IndexKey(KindOfKey(p.key)));
        c.push_back(IndexKey(home));
      }
      for (const auto& counter : p.counters) c.push_back(CounterKey(counter));
      const std::vector<int64_t> after = p.GenerationsAfter(keys);
      args.insert(args.end(), {std::string(1, mode), std::to_string(p.counters.size()),
                               std::to_string(std::min(p.ttl, kMaxTtl).count()), Stamp(p.value, after)});
      for (int64_t g : after) args.push_back(std::to_string(g));
    }
    c[2] = std::to_string(c.size() - 3);
    c.insert(c.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    return c;
  }

  // `command` with the namespace mark replaced by `ns` (Sentinel only) in its keys
  // and SCAN's pattern. Values are left as they are: they are the response bytes,
  // where a user's text (a note of twelve '@') may spell the mark. Every EVAL of
  // ours passes its keys as KEYS and only numbers and tokens as ARGV.
  static Command InSpace(const Command& command, const std::string& ns) {
    Command out = command;
    for (size_t i = 1; i < out.size(); ++i) {
      if (!IsKeyArgument(out, i)) continue;
      if (auto at = out[i].find(kNsMark); at != std::string::npos) out[i].replace(at, kNsMark.size(), ns);
    }
    return out;
  }
  // IncrMany's round trip: true with every answer in `out`; false when it was
  // not delivered (or not known to be), and then every one is owed. Replaying
  // one that did land only bumps its generation once more, which costs a miss.
  // Of `prepared`, those the script stored are marked so.
  bool DeliverIncrMany(std::span<const std::string> keys, std::span<Prepared> prepared,
                       std::vector<std::optional<int64_t>>& out) {
    // A generation bump is worth waiting for a busy pool: failing it degrades the cache.
    std::vector<Prepared*> sent;  // those the script can check: a stamp for each counter
    for (Prepared& p : prepared)
      if (p.counters.size() == p.generations.size() && p.counters.size() <= kMaxStampedGenerations) sent.push_back(&p);
    Reply r = AvailableForWrite() ? Run(IncrManyCommand(keys, sent), options_.socket_timeout) : nullptr;
    if (!AllIncremented(r, keys.size(), sent.size(), &out)) {
      Owe(keys);
      return false;
    }
    for (size_t i = 0; i < sent.size(); ++i) {
      sent[i]->stored = r->element[keys.size() + i]->integer == 1;
      if (sent[i]->stored) sets_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
  }

  // Whether `r` answers an IncrManyCommand of n keys and p prepared answers
  // with every counter incremented; their new values, in order, into *values
  // when given.
  static bool AllIncremented(const Reply& r, size_t n, size_t p,
                             std::vector<std::optional<int64_t>>* values = nullptr) {
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != n + p) return false;
    for (size_t i = 0; i < n + p; ++i)
      if (r->element[i]->type != REDIS_REPLY_INTEGER) return false;
    if (values)
      for (size_t i = 0; i < n; ++i) (*values)[i] = r->element[i]->integer;
    return true;
  }

  // Records the counters whose increment was not delivered, and holds the
  // breaker open until a probe has replayed them: owing_ => the breaker is
  // open, both set under owed_mu_. A failure that did not open the breaker (a
  // full pool; or a probe closed it after this write's attempt failed) leaves
  // it open but due: the next call probes at once, not after retry_after.
  void Owe(std::span<const std::string> counters) {
    MutexLock lock(owed_mu_);
    owed_.insert(counters.begin(), counters.end());
    owing_.store(true);
    if (down_until_.load() == 0) {
      down_until_.store(SteadyClock::now().time_since_epoch().count());
      if (!logged_down_.exchange(true))
        spdlog::warn("cache: an invalidation could not be delivered to {}; replaying it", Where());
    }
  }

  static bool IsKeyArgument(const Command& c, size_t i) {
    if (c[0] == "SET") return i == 1;
    if (c[0] == "EVAL") return i >= 3 && i < 3 + std::stoul(c[2]);
    if (c[0] == "SCAN") return c[i - 1] == "MATCH";
    return true;  // GET, UNLINK, STRLEN: keys only
  }

  // Shared counts (the login throttle), expiring with their window.
  std::string WindowKey(std::string_view k) const { return Space() + ":w:" + std::string(k); }

  // {count, milliseconds left} from the window scripts; nullopt on any failure.
  static std::optional<WindowCount> WindowReply(const Reply& r) {
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_INTEGER ||
        r->element[1]->type != REDIS_REPLY_INTEGER)
      return std::nullopt;
    return WindowCount{r->element[0]->integer, std::chrono::milliseconds(r->element[1]->integer)};
  }

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

  // --- lookups ---------------------------------------------------------------

  // GetCurrent's command: `MGET P:c:<counter>... P:v:<key>`.
  Command CurrentCommand(std::span<const std::string> counters, std::string_view key) const {
    Command mget{"MGET"};
    mget.reserve(counters.size() + 2);
    for (const auto& c : counters) mget.push_back(CounterKey(c));
    mget.push_back(ValueKey(key));
    return mget;
  }

  // GetCurrent's answer from the reply `r` (nullptr: none) to `mget`.
  std::optional<Current> ParseCurrent(const redisReply* r, const Command& mget) {
    const size_t counters = mget.size() - 2;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != counters + 1) return std::nullopt;
    Current out;
    out.generations.reserve(counters);
    for (size_t i = 0; i < counters; ++i) {
      const redisReply* c = r->element[i];
      std::optional<int64_t> g = c->type == REDIS_REPLY_NIL ? StartCounter(mget[i + 1]) : CounterValue(c);
      if (!g) return std::nullopt;
      out.generations.push_back(*g);
    }
    const redisReply* v = r->element[counters];
    if (v->type == REDIS_REPLY_STRING) {
      if (auto size = StampedValueSize({v->str, v->len}, out.generations)) out.value.emplace(v->str, *size);
    }
    (out.value ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
    return out;
  }

  // The lookup thread: takes every queued GetCurrentLater, sends them in one
  // Pipeline, and answers each; those queued meanwhile go in the next. Started
  // by the first GetCurrentLater; joined, with the queue answered nullopt, by
  // the destructor.
  void Lookups() {
    MutexLock lock(later_mu_);
    for (;;) {
      later_cv_.wait(lock, [&]() REQUIRES(later_mu_) { return later_stop_ || !later_queue_.empty(); });
      std::vector<LaterLookup> batch;
      batch.swap(later_queue_);
      const bool stopping = later_stop_;
      lock.unlock();
      std::vector<Command> commands;
      commands.reserve(batch.size());
      for (LaterLookup& l : batch) commands.push_back(std::move(l.command));
      std::vector<Reply> replies;
      if (!stopping) replies = Pipeline(commands, kPoolWait);  // none at all on a failure: every caller is told nullopt
      for (size_t i = 0; i < batch.size(); ++i) {
        try {
          CurrentDone done = std::move(batch[i].done);  // and gone before the next is answered
          done(replies.empty() ? std::nullopt : ParseCurrent(replies[i].get(), commands[i]));
        } catch (const std::exception& e) {  // the caller's; the others are still answered
          spdlog::error("cache: a lookup's continuation threw: {}", e.what());
        }
      }
      if (stopping) return;
      lock.lock();
    }
  }
  struct LaterLookup {
    Command command;
    CurrentDone done;
  };

  // --- the breaker -----------------------------------------------------------

  // True when calls may go to Redis. While the breaker is open and its time
  // has come, one caller probes; the others keep failing fast.
  bool Available() {
    int64_t until = down_until_.load();
    if (until == 0) return true;
    if (SteadyClock::now().time_since_epoch().count() < until) return false;
    if (!probe_mu_.try_lock()) return false;  // another caller probes
    bool ok = Probe(target_.connect);
    probe_mu_.unlock();
    return ok;
  }

  // Available, for a write's increments, which do not wait for retry_after:
  // while the breaker is open, the write probes now, or waits for the probe in
  // flight and takes its outcome. Another server may have found Redis back a
  // moment ago and be serving from it already; a write this server acknowledged
  // while merely owing its increment would leave that server's answers stale
  // until this server's next probe (seen in bench/soak). The probe's timeouts
  // are at most kWriteProbeTimeout, so that a Redis that is really unreachable
  // (a black hole, not a refusal) costs a write that much, not connect_timeout.
  bool AvailableForWrite() {
    if (down_until_.load() == 0) return true;
    const uint64_t probes = probes_.load();
    MutexLock lock(probe_mu_);
    if (down_until_.load() == 0) return true;
    if (probes_.load() != probes) return false;  // one ended while this waited, and failed: as fresh as ours
    ConnectOptions quick = target_.connect;
    quick.connect_timeout = std::min(quick.connect_timeout, kWriteProbeTimeout);
    quick.socket_timeout = std::min(quick.socket_timeout, kWriteProbeTimeout);
    return Probe(quick);
  }

  // PING on a fresh connection, then the owed INCRs, all in one IncrManyCommand:
  // this server's own, and those the database says any server may still owe
  // (owed_elsewhere_: the outbox, service/owed_invalidations.hpp), since the
  // server that owes them may find Redis back later than this one. Closes the
  // breaker on success (under owed_mu_, so that no Incr can become owed
  // unnoticed). On failure every one stays owed: one that did land is bumped
  // again by the next probe, which costs a miss, never a stale answer.
  // REQUIRES probe_mu_ (one probe at a time).
  bool Probe(const ConnectOptions& options) REQUIRES(probe_mu_) {
    struct Count {  // every probe, however it ends
      std::atomic<uint64_t>& probes;
      ~Count() { probes.fetch_add(1); }
    } count{probes_};
    std::string ns;
    std::unique_ptr<Connection> c = Connect(&ns, options);
    if (!c) return false;
    Reply pong = c->Call({"PING"});
    if (!pong) return Open(c->error());
    OwedElsewhere owed_elsewhere;
    {
      MutexLock lock(elsewhere_mu_);
      owed_elsewhere = owed_elsewhere_;
    }
    std::vector<std::string> elsewhere;
    if (owed_elsewhere) {  // outside owed_mu_: a query of the database
      auto keys = owed_elsewhere();
      if (!keys) return Open("the invalidations owed in the database could not be read");
      elsewhere = std::move(*keys);
    }
    MutexLock lock(owed_mu_);
    std::set<std::string> all(elsewhere.begin(), elsewhere.end());
    all.insert(owed_.begin(), owed_.end());
    if (!all.empty()) {
      const std::vector<std::string> keys(all.begin(), all.end());
      if (!AllIncremented(c->Call(InSpace(IncrManyCommand(keys), ns)), keys.size(), 0))
        return Open("replaying invalidations failed");
      owed_.clear();
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

  std::string Where() const {
    return target_.sentinel() ? fmt::format("the primary of '{}' by Sentinel", target_.url.service)
                              : fmt::format("{}:{}", target_.node.host, target_.node.port);
  }

  // Sentinel: subscribed to +switch-master on one sentinel after another, so that a
  // failover the sentinels announce drops every idle connection at once (the next
  // ones ask the sentinels again and check ROLE). Without it the switch is still
  // found: Sentinel kills the clients of a node it demotes, and a dead primary fails
  // every call until a new connection finds the promoted one.
  void WatchSentinels() {
    for (size_t i = 0;; ++i) {
      std::unique_ptr<Connection> c;
      {
        MutexLock lock(watch_mu_);
        if (stop_) return;
      }
      ConnectOptions listen = target_.sentinels;
      listen.socket_timeout = std::chrono::milliseconds::zero();
      ConnectError error;
      c = Connection::Open(target_.url.nodes[i % target_.url.nodes.size()], listen, &error);
      if (c) {
        {
          MutexLock lock(watch_mu_);
          if (stop_) return;
          watching_ = c.get();
        }
        if (c->Send({{"SUBSCRIBE", "+switch-master"}})) {
          while (Reply r = c->Read()) {
            // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
            if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[2]->type != REDIS_REPLY_STRING) continue;
            std::string_view text(r->element[2]->str, r->element[2]->len);
            if (!text.starts_with(target_.url.service + " ")) continue;
            spdlog::warn("cache: Sentinel announced a new primary for {}", text);
            epoch_.fetch_add(1);  // idle connections (to the old primary) are not reused
          }
        }
        MutexLock lock(watch_mu_);
        watching_ = nullptr;
      }
      MutexLock lock(watch_mu_);
      watch_cv_.wait_for(lock, options_.retry_after, [&]() REQUIRES(watch_mu_) { return stop_; });
    }
  }

  // Sentinel: a connection found a primary with another replication id than the last
  // one, i.e. a replica was promoted (or the primary restarted). Its counters may be
  // older than those handed out before, so nothing cached before is trusted: new keys
  // live under the new id, and idle connections to the old primary are dropped.
  void NoteNamespace(const std::string& ns) {
    if (!target_.sentinel()) return;
    MutexLock lock(ns_mu_);
    if (ns == ns_) return;
    if (!ns_.empty()) {
      spdlog::warn(
          "cache: the Redis primary of '{}' changed (replication id {} -> {}): everything cached before "
          "is retired",
          target_.url.service, ns_, ns);
      epoch_.fetch_add(1);
    }
    ns_ = ns;
  }

  // A new connection, authenticated, on the configured db; or nullptr, after
  // opening the breaker. A refusal (credentials, certificate) is logged as the
  // configuration error it is, once per distinct message, and remembered for CheckAccess.
  std::unique_ptr<Connection> Connect(std::string* ns) { return Connect(ns, target_.connect); }
  std::unique_ptr<Connection> Connect(std::string* ns, const ConnectOptions& options) {
    ConnectError error;
    std::unique_ptr<Connection> c = OpenPrimary(target_, options, &error, ns);
    if (c) {
      NoteNamespace(*ns);
      return c;
    }
    if (error.kind == ConnectError::kRefused) {
      MutexLock lock(refused_mu_);
      if (refused_ != error.message)
        spdlog::error("cache: {} (check ROTA_CACHE_URL and the TLS settings)", error.message);
      refused_ = error.message;
    }
    Open(error.message);
    return nullptr;
  }

 public:
  Status CheckAccess() override {
    ConnectError error;
    std::string ns;
    if (OpenPrimary(target_, target_.connect, &error, &ns) || error.kind != ConnectError::kRefused) return {};
    return Error::Invalid("ROTA_CACHE_URL / [cache] url: " + error.message, "cache_url");
  }

 private:
  // A connection of the current epoch, or nullptr when the pool stays
  // exhausted for `wait` or Redis cannot be reached (which opens the breaker).
  std::optional<Pooled> Acquire(std::chrono::milliseconds wait) {
    const uint64_t epoch = epoch_.load();
    {
      MutexLock lock(pool_mu_);
      // Idle connections made before the breaker last closed may point at a dead or restarted Redis.
      open_ -= static_cast<int>(std::erase_if(idle_, [&](const Pooled& p) { return p.epoch != epoch; }));
      if (!pool_cv_.wait_for(lock, wait,
                             [&]() REQUIRES(pool_mu_) { return !idle_.empty() || open_ < options_.pool_size; }))
        return std::nullopt;  // exhausted: fail open for this call
      if (!idle_.empty()) {
        Pooled p = std::move(idle_.back());
        idle_.pop_back();
        return p;
      }
      ++open_;
    }
    std::string ns;
    std::unique_ptr<Connection> c = Connect(&ns);
    if (!c) {
      Forget();
      return std::nullopt;
    }
    return Pooled{std::move(c), std::move(ns), epoch_.load()};
  }

  void Release(Pooled p) {
    MutexLock lock(pool_mu_);
    if (p.epoch == epoch_.load()) {
      idle_.push_back(std::move(p));
    } else {
      --open_;
    }
    pool_cv_.notify_one();
  }

  void Forget() {
    MutexLock lock(pool_mu_);
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
    bool sent;
    if (target_.sentinel()) {
      std::vector<Command> spaced;
      for (const Command& command : commands) spaced.push_back(InSpace(command, p->ns));
      sent = c->Send(spaced);
    } else {
      sent = c->Send(commands);
    }
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

  // Run, for the hot read (GetCurrent's MGET), with the concurrent callers'
  // commands grouped, in the manner of LevelDB's writer queue: a caller queues
  // its command; the first in the queue, when no batch is in flight, leads: it
  // takes every queued command, sends them in one Pipeline, and hands each
  // caller its reply. Those that arrive meanwhile wait and go in the next
  // batch. So hits on several I/O threads at once share one write, one read
  // and one wake-up of Redis instead of one each (bench/NOTES.md); alone, a
  // caller leads its own batch of one at the cost of a lock.
  Reply RunBatched(Command command) {
    BatchWaiter me{std::move(command)};
    MutexLock lock(batch_mu_);
    batch_queue_.push_back(&me);
    while (!me.done && (batch_busy_ || batch_queue_.front() != &me)) me.cv.wait(lock);
    if (me.done) return std::move(me.reply);
    std::vector<BatchWaiter*> batch;
    batch.swap(batch_queue_);
    batch_busy_ = true;
    lock.unlock();
    std::vector<Command> commands;
    commands.reserve(batch.size());
    for (BatchWaiter* w : batch) commands.push_back(std::move(w->command));
    std::vector<Reply> replies = Pipeline(commands, kPoolWait);  // none at all on a failure: every caller misses
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!replies.empty()) batch[i]->reply = std::move(replies[i]);
      batch[i]->done = true;
      if (batch[i] != &me) batch[i]->cv.notify_one();
    }
    batch_busy_ = false;
    if (!batch_queue_.empty()) batch_queue_.front()->cv.notify_one();
    return std::move(me.reply);
  }
  struct BatchWaiter {
    Command command;
    Reply reply;
    bool done = false;
    std::condition_variable_any cv;
  };

  const RedisTarget target_;
  const CacheOptions options_;
  const int64_t per_home_;    // EntriesPerHome: a home's values at most (BoundedSet)
  const int64_t per_prefix_;  // EntriesPerPrefix: a kind's values in a home at most (BoundedSet)
  const std::string token_;   // identifies this cache object's fill locks

  std::atomic<int64_t> hits_{0}, misses_{0}, sets_{0};
  std::atomic<int64_t> down_until_{0};  // steady-clock ticks; 0 = closed (Redis usable)
  Mutex probe_mu_;                      // held by the one caller that probes
  std::atomic<uint64_t> probes_{0};     // probes ended, however
  Mutex elsewhere_mu_;
  OwedElsewhere owed_elsewhere_ GUARDED_BY(elsewhere_mu_);  // SetOwedElsewhere's
  std::atomic<bool> logged_down_{false};
  std::atomic<uint64_t> epoch_{0};  // bumped each time the breaker closes

  Mutex owed_mu_;
  std::set<std::string> owed_ GUARDED_BY(owed_mu_);  // counters whose INCR was not delivered
  std::atomic<bool> owing_{false};                   // !owed_.empty(); written under owed_mu_, read without it

  Mutex batch_mu_;
  std::vector<BatchWaiter*> batch_queue_ GUARDED_BY(batch_mu_);  // RunBatched's callers, in arrival order
  bool batch_busy_ GUARDED_BY(batch_mu_) = false;                // a batch is in flight

  Mutex later_mu_;
  std::condition_variable_any later_cv_;
  std::vector<LaterLookup> later_queue_ GUARDED_BY(later_mu_);  // GetCurrentLater's, for the next pipeline
  bool later_stop_ GUARDED_BY(later_mu_) = false;
  std::thread lookups_ GUARDED_BY(later_mu_);  // Lookups, from the first GetCurrentLater on

  Mutex pool_mu_;
  std::condition_variable_any pool_cv_;
  std::vector<Pooled> idle_ GUARDED_BY(pool_mu_);
  int open_ GUARDED_BY(pool_mu_) = 0;  // connections in existence (idle or in use)

  Mutex watch_mu_;
  std::condition_variable_any watch_cv_;
  bool stop_ GUARDED_BY(watch_mu_) = false;
  Connection* watching_ GUARDED_BY(watch_mu_) = nullptr;  // the watcher's, while it listens
  std::thread watcher_;                                   // Sentinel only: WatchSentinels

  Mutex ns_mu_;
  std::string ns_ GUARDED_BY(ns_mu_);  // Sentinel: the namespace of the newest connection

  Mutex refused_mu_;
  std::string refused_ GUARDED_BY(refused_mu_);  // the last refusal logged
};

}  // namespace

namespace {

std::string_view Text(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? std::string_view(r->str, r->len)
                                                                               : std::string_view();
}

// The primary's address from the first sentinel that knows it, or nullopt (*error filled).
std::optional<HostPort> AskSentinels(const RedisTarget& target, ConnectError* error) {
  std::vector<std::string> failures;
  bool refused = false, unknown = false;
  for (const HostPort& s : target.url.nodes) {
    ConnectError e;
    std::unique_ptr<Connection> c = Connection::Open(s, target.sentinels, &e);
    if (!c) {
      refused = refused || e.kind == ConnectError::kRefused;
      failures.push_back(e.message);
      continue;
    }
    Reply r = c->Call({"SENTINEL", "get-master-addr-by-name", target.url.service});
    if (!r) {
      failures.push_back(c->error());
    } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
      int port = 0;
      std::string_view p = Text(r->element[1]);
      std::from_chars(p.data(), p.data() + p.size(), port);
      if (port > 0) return HostPort{std::string(Text(r->element[0])), port};
      failures.push_back(fmt::format("sentinel {}:{} answered an address without a port", s.host, s.port));
    } else if (r->type == REDIS_REPLY_NIL) {
      unknown = true;
      failures.push_back(fmt::format("sentinel {}:{} knows no primary named '{}'", s.host, s.port, target.url.service));
    } else {
      refused = refused || r->type == REDIS_REPLY_ERROR;
      failures.push_back(fmt::format(
          "sentinel {}:{}: {}", s.host, s.port,
          r->type == REDIS_REPLY_ERROR ? std::string_view(r->str, r->len) : std::string_view("an unexpected reply")));
    }
  }
  std::string all;
  for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
  // Sentinels that answer but know no such primary, or refuse us: the URL's service
  // name or ROTA_CACHE_SENTINEL_PASSWORD is wrong. None answering: an outage.
  error->kind = refused || unknown ? ConnectError::kRefused : ConnectError::kUnreachable;
  error->message = (unknown   ? "no primary named '" + target.url.service + "' (the service name of ROTA_CACHE_URL): "
                    : refused ? "the sentinels refused us (ROTA_CACHE_SENTINEL_PASSWORD?): "
                              : "no sentinel answered: ") +
                   all;
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Connection> OpenPrimary(const RedisTarget& target, const ConnectOptions& options, ConnectError* error,
                                        std::string* ns) {
  ns->clear();
  if (!target.sentinel()) return Connection::Open(target.node, options, error);
  std::optional<HostPort> primary = AskSentinels(target, error);
  if (!primary) return nullptr;
  std::unique_ptr<Connection> c = Connection::Open(*primary, options, error);
  if (!c) return nullptr;
  // Trust the node's own word, not only the sentinel's: a sentinel may lag a failover.
  Reply role, info;
  if (c->Send({{"ROLE"}, {"INFO", "replication"}})) {
    role = c->Read();
    if (role) info = c->Read();
  }
  if (!role || !info) {
    *error = {ConnectError::kUnreachable, c->error()};
    return nullptr;
  }
  if (role->type == REDIS_REPLY_ERROR || info->type == REDIS_REPLY_ERROR) {
    *error = {ConnectError::kRefused,
              fmt::format("{}:{} refused ROLE or INFO (the ACL user needs +role +info): {}", primary->host,
                          primary->port, std::string_view(role->type == REDIS_REPLY_ERROR ? role->str : info->str))};
    return nullptr;
  }
  std::string_view what = role->type == REDIS_REPLY_ARRAY && role->elements > 0 ? Text(role->element[0]) : "";
  if (what != "master") {
    *error = {ConnectError::kUnreachable, fmt::format("{}:{}, named primary of '{}' by Sentinel, says it is a {}",
                                                      primary->host, primary->port, target.url.service, what)};
    return nullptr;
  }
  std::string_view text = Text(info.get());
  constexpr std::string_view kField = "master_replid:";
  auto at = text.find(kField);
  if (at == std::string_view::npos || text.size() < at + kField.size() + kNsMark.size()) {
    *error = {ConnectError::kUnreachable, "INFO replication has no master_replid"};
    return nullptr;
  }
  *ns = std::string(text.substr(at + kField.size(), kNsMark.size()));
  return c;
}

Result<RedisTarget> MakeRedisTarget(const std::string& url, const CacheOptions& options) {
  auto parsed = ParseCacheUrl(url);
  if (!parsed) return Error::Invalid(parsed.error().message, "cache_url");
  if (!parsed->IsRedis())
    return Error::Invalid(fmt::format("ROTA_CACHE_URL / [cache] url '{}' is not a Redis URL", RedactUrl(url)),
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
  t.sentinels = t.connect;
  t.sentinels.user.clear();
  t.sentinels.password.reset();
  if (!options.sentinel_password.empty()) t.sentinels.password = options.sentinel_password;
  t.sentinels.db = 0;
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
