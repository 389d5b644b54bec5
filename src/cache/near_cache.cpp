#include "cache/near_cache.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <span>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/mutex.hpp"
#include "cache/memory_cache.hpp"
#include "cache/redis_cache.hpp"
#include "cache/redis_conn.hpp"
#include "cache/stamp.hpp"

namespace rota::cache {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string RandomId() {
  unsigned char b[8];
  randombytes_buf(b, sizeof b);
  std::string out;
  for (unsigned char c : b) out += fmt::format("{:02x}", c);
  return out;
}

std::string_view Str(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? std::string_view(r->str, r->len)
                                                                               : std::string_view();
}

class NearCache final : public Cache {
 public:
  NearCache(std::unique_ptr<Cache> remote, std::unique_ptr<Cache> values, RedisTarget target,
            const CacheOptions& options)
      : remote_(std::move(remote)),
        values_(std::move(values)),
        target_(std::move(target)),
        options_(options),
        id_(RandomId()),
        inval_channel_(options.key_prefix + ":near:inval"),
        ack_channel_(options.key_prefix + ":near:ack:" + id_),
        subscriber_([this] { Subscribe(); }),
        heartbeat_([this] { Beat(); }) {}

  ~NearCache() override {
    {
      MutexLock lock(sub_mu_);
      stop_ = true;
      if (sub_) sub_->Shutdown();  // wakes the blocked read
    }
    sub_cv_.notify_all();
    subscriber_.join();
    heartbeat_.join();
  }

  std::optional<std::string> Get(std::string_view key) override {
    if (Live()) {
      if (auto v = values_->Get(key)) {
        near_hits_.fetch_add(1, std::memory_order_relaxed);
        return v;
      }
    }
    near_misses_.fetch_add(1, std::memory_order_relaxed);
    uint64_t seq = Seq();
    auto v = remote_->Get(key);
    if (v) {
      MutexLock lock(mu_);
      if (Live() && seq_ == seq) values_->Set(key, *v, NearTtl(options_.near_ttl));
    }
    return v;
  }

  void Set(std::string_view key, std::string value, std::chrono::seconds ttl) override {
    if (Live()) {
      auto near_ttl = NearTtl(options_.near_ttl);
      MutexLock lock(mu_);
      values_->Set(key, value, ttl == kNoExpiry ? near_ttl : std::min(ttl, near_ttl));
    }
    remote_->Set(key, std::move(value), ttl);
  }

  bool Delete(std::string_view key) override {
    bool deleted = remote_->Delete(key);
    {
      MutexLock lock(mu_);
      values_->Delete(key);
      ++seq_;
    }
    Broadcast('v', key);
    return deleted;
  }

  std::optional<int64_t> Incr(std::string_view key) override {
    auto v = remote_->Incr(key);
    {
      MutexLock lock(mu_);
      counters_.erase(std::string(key));
      ++seq_;
    }
    if (v)
      Broadcast('c', key);
    else
      WaitOutTheLease();  // Redis is unreachable: no server can be told, so let every lease lapse
    return v;
  }

  std::vector<std::optional<int64_t>> IncrMany(std::span<const std::string> keys, std::span<Prepared> prepared,
                                               const AfterIncr& then) override {
    // Redis stores the prepared answers in the increments' script. No copy is
    // kept here: the counters are dropped below, and the next read's round
    // trip for them brings the value too.
    auto v = remote_->IncrMany(keys, prepared);
    // `then` (what stores the answers that could not be prepared, stamped with
    // the new counters) runs before anyone here or elsewhere drops the old
    // counters: until they do, they serve what they hold, which the write,
    // not yet acknowledged, allows; once they do, what they find in Redis is
    // the new answer. Dropping ours first left a round trip (then's SET) in
    // which this server's readers found new counters and the old answer, and
    // missed (bench/RESULTS.md, mixed workload on redis://).
    if (then) then(v);
    {
      MutexLock lock(mu_);
      for (const auto& k : keys) counters_.erase(k);
      ++seq_;
    }
    std::vector<std::string_view> delivered;
    for (size_t i = 0; i < keys.size(); ++i)
      if (v[i]) delivered.push_back(keys[i]);
    if (!delivered.empty()) Broadcast('c', delivered);      // one wait for every server's acknowledgements
    if (delivered.size() < keys.size()) WaitOutTheLease();  // as Incr: nobody could be told of the rest
    return v;
  }

  std::optional<int64_t> Counter(std::string_view key) override {
    uint64_t seq;
    {
      MutexLock lock(mu_);
      if (Live()) {
        auto it = counters_.find(std::string(key));
        if (it != counters_.end() && SteadyClock::now() < it->second.until) {
          near_hits_.fetch_add(1, std::memory_order_relaxed);
          return it->second.value;
        }
      }
      seq = seq_;
    }
    near_misses_.fetch_add(1, std::memory_order_relaxed);
    auto v = remote_->Counter(key);
    if (v) {
      MutexLock lock(mu_);
      if (Live() && seq_ == seq) KeepCounter(key, *v);
    }
    return v;
  }

  // From the near copies when every counter and the value are held here and
  // the value carries those counters: no round trip. Otherwise Redis's one
  // round trip, whose answer is kept here unless something was invalidated
  // meanwhile (as Counter and Get do). SetCurrent needs no override: Set keeps
  // the stamped bytes here and in Redis alike.
  std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) override {
    uint64_t seq;
    {
      MutexLock lock(mu_);
      seq = seq_;
      if (Live()) {
        if (auto local = LocalCurrent(counters, key)) {
          near_hits_.fetch_add(1, std::memory_order_relaxed);
          return local;
        }
      }
    }
    near_misses_.fetch_add(1, std::memory_order_relaxed);
    auto remote = remote_->GetCurrent(counters, key);
    if (remote) {
      MutexLock lock(mu_);
      if (Live() && seq_ == seq) {
        for (size_t i = 0; i < counters.size(); ++i) KeepCounter(counters[i], remote->generations[i]);
        if (remote->value) values_->Set(key, Stamp(*remote->value, remote->generations), NearTtl(options_.near_ttl));
      }
    }
    return remote;
  }

  bool TryLock(std::string_view key, std::chrono::milliseconds ttl) override { return remote_->TryLock(key, ttl); }
  void Unlock(std::string_view key) override { remote_->Unlock(key); }
  Health health() override { return remote_->health(); }
  Status CheckAccess() override { return remote_->CheckAccess(); }
  void SetOwedElsewhere(OwedElsewhere owed) override { remote_->SetOwedElsewhere(std::move(owed)); }
  std::optional<std::string> MaxmemoryPolicy() override { return remote_->MaxmemoryPolicy(); }
  std::optional<WindowCount> CountUp(std::string_view key, std::chrono::milliseconds window) override {
    return remote_->CountUp(key, window);
  }
  std::optional<WindowCount> CountOf(std::string_view key) override { return remote_->CountOf(key); }
  void ResetCount(std::string_view key) override { remote_->ResetCount(key); }

  int64_t DeletePattern(std::string_view glob) override {
    int64_t n = remote_->DeletePattern(glob);
    {
      MutexLock lock(mu_);
      values_->DeletePattern(glob);
      ++seq_;
    }
    Broadcast('p', glob);
    return n;
  }

  CacheStats Stats() override {
    CacheStats s = remote_->Stats();
    CacheStats local = values_->Stats();
    s.near_hits = near_hits_.load();
    s.near_misses = near_misses_.load();
    s.near_keys = local.keys;
    s.near_connected = connected_.load();
    return s;
  }

 private:
  struct CounterCopy {
    int64_t value;
    SteadyClock::time_point until;
  };

  void KeepCounter(std::string_view key, int64_t value) REQUIRES(mu_) {
    if (counters_.size() > 100'000) counters_.clear();  // generations: a few per home; a bound all the same
    counters_[std::string(key)] = {value, SteadyClock::now() + options_.near_ttl};
  }

  // Every counter and the value from the near copies, the value stamped with
  // those counters; nullopt when anything is missing, lapsed or stale.
  std::optional<Current> LocalCurrent(std::span<const std::string> counters, std::string_view key) REQUIRES(mu_) {
    Current local;
    local.generations.reserve(counters.size());
    const auto now = SteadyClock::now();
    for (const auto& c : counters) {
      auto it = counters_.find(c);
      if (it == counters_.end() || now >= it->second.until) return std::nullopt;
      local.generations.push_back(it->second.value);
    }
    auto v = values_->Get(key);
    if (!v) return std::nullopt;
    local.value = Unstamp(std::move(*v), local.generations);
    if (!local.value) return std::nullopt;
    return local;
  }

  static std::chrono::seconds NearTtl(std::chrono::milliseconds ms) {
    return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(ms));
  }

  // Whether copies may be served: the subscription is up and one of our own
  // heartbeats sent within the lease has come back (so every message published
  // before it has been applied). A subscriber whose last heartbeat back is older
  // cannot know what it missed.
  bool Live() const {
    return connected_.load() &&
           SteadyNanos() - last_heard_.load() < std::chrono::nanoseconds(options_.near_ack_timeout).count();
  }

  // A writer that could not reach every server waits until every other near
  // tier's lease has lapsed: they all last heard from Redis before this moment.
  void WaitOutTheLease() { std::this_thread::sleep_for(options_.near_ack_timeout); }

  static int64_t SteadyNanos() { return std::chrono::nanoseconds(SteadyClock::now().time_since_epoch()).count(); }

  // Everything published before `sent` (steady-clock ns, this process) has been applied.
  void Heard(int64_t sent) {
    int64_t prev = last_heard_.load();
    while (sent > prev && !last_heard_.compare_exchange_weak(prev, sent)) {
    }
  }

  // Publishes a heartbeat stamped with its sending time every quarter lease, so
  // that subscribers keep their leases while Redis is up and they keep up.
  void Beat() {
    MutexLock lock(sub_mu_);
    while (!stop_) {
      lock.unlock();
      Publish(inval_channel_, fmt::format("{} {} h -", id_, SteadyNanos()));
      lock.lock();
      sub_cv_.wait_for(lock, options_.near_ack_timeout / 4, [&]() REQUIRES(sub_mu_) { return stop_; });
    }
  }

  uint64_t Seq() {
    MutexLock lock(mu_);
    return seq_;
  }

  // Drops every near copy (the channel went down or came back).
  void Flush() {
    MutexLock lock(mu_);
    counters_.clear();
    values_->DeletePattern("*");
    ++seq_;
  }

  // --- publishing (any thread) ---------------------------------------------

  // One PUBLISH on the shared publisher connection; the number of receivers, or
  // nullopt if Redis cannot be reached (then nobody's near tier is answering:
  // a subscriber without Redis has dropped its copies).
  std::optional<int64_t> Publish(const std::string& channel, const std::string& payload) {
    MutexLock lock(pub_mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!pub_) {
        ConnectError error;
        std::string ns;
        pub_ = OpenPrimary(target_, target_.connect, &error, &ns);
      }
      if (!pub_) return std::nullopt;
      Reply r = pub_->Call({"PUBLISH", channel, payload});
      if (r && r->type == REDIS_REPLY_INTEGER) return r->integer;
      pub_.reset();  // a broken connection: one fresh try
    }
    return std::nullopt;
  }

  // Tells every server (this one included) what changed, and waits until they
  // have all applied it or near_ack_timeout has passed.
  void Broadcast(char kind, std::string_view key) { Broadcast(kind, std::span<const std::string_view>(&key, 1)); }

  // The same for several keys: one message each (the format every version of
  // rota reads), and one wait for all their acknowledgements.
  void Broadcast(char kind, std::span<const std::string_view> keys) {
    std::vector<std::pair<uint64_t, int64_t>> sent;  // message seq, receivers
    bool lost = false;
    for (std::string_view key : keys) {
      uint64_t seq = next_message_.fetch_add(1) + 1;
      {
        MutexLock lock(ack_mu_);
        acks_[seq] = 0;
      }
      auto receivers = Publish(inval_channel_, fmt::format("{} {} {} {}", id_, seq, kind, key));
      if (receivers) {
        sent.emplace_back(seq, *receivers);
        continue;
      }
      MutexLock lock(ack_mu_);
      acks_.erase(seq);
      lost = true;
    }
    MutexLock lock(ack_mu_);
    if (lost) {
      for (auto [seq, n] : sent) acks_.erase(seq);
      lock.unlock();
      WaitOutTheLease();
      return;
    }
    // Waiting the whole lease is enough: a server that has not applied the
    // messages by then has heard nothing since (messages arrive in order), so
    // its lease has lapsed and it serves no copy.
    auto missing = [&]() REQUIRES(ack_mu_) {
      int64_t most = 0;
      for (auto [seq, n] : sent) most = std::max(most, n - acks_[seq]);
      return most;
    };
    bool all = ack_cv_.wait_for(lock, options_.near_ack_timeout, [&]() REQUIRES(ack_mu_) { return missing() <= 0; });
    if (!all)
      spdlog::warn("cache: near tier: {} of {} servers did not confirm an invalidation of {}{} within {} ms", missing(),
                   sent.empty() ? 0 : sent.front().second, keys.empty() ? "" : keys.front(),
                   keys.size() > 1 ? fmt::format(" (and {} more keys)", keys.size() - 1) : "",
                   options_.near_ack_timeout.count());
    for (auto [seq, n] : sent) acks_.erase(seq);
  }

  void Acknowledged(uint64_t seq) {
    MutexLock lock(ack_mu_);
    auto it = acks_.find(seq);
    if (it == acks_.end()) return;  // the writer stopped waiting
    ++it->second;
    ack_cv_.notify_all();
  }

  // --- the subscriber thread -------------------------------------------------

  void Subscribe() {
    auto backoff = 50ms;
    while (true) {
      {
        MutexLock lock(sub_mu_);
        if (stop_) return;
      }
      ConnectOptions listen = target_.connect;
      listen.socket_timeout = 0ms;  // waits for messages as long as it takes
      ConnectError error;
      std::string ns;
      std::unique_ptr<Connection> c = OpenPrimary(target_, listen, &error, &ns);
      bool stopping = false;
      if (c) {
        {
          MutexLock lock(sub_mu_);
          stopping = stop_;
          sub_ = c.get();
        }
        if (!stopping) {
          Listen(c.get());
          backoff = 50ms;
        }
        MutexLock lock(sub_mu_);
        sub_ = nullptr;
      }
      bool was_connected = connected_.exchange(false);
      Flush();
      {
        MutexLock lock(sub_mu_);
        if (stop_) return;
      }
      if (was_connected)
        spdlog::warn("cache: near tier: invalidation channel lost; serving from redis until it is back");
      MutexLock lock(sub_mu_);
      sub_cv_.wait_for(lock, backoff, [&]() REQUIRES(sub_mu_) { return stop_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
  }

  // Reads messages until the connection fails or is shut down.
  void Listen(Connection* c) {
    const int64_t asked = SteadyNanos();  // before SUBSCRIBE is sent
    if (!c->Send({{"SUBSCRIBE", inval_channel_, ack_channel_}})) return;
    int confirmed = 0;
    while (true) {
      Reply reply = c->Read();
      if (!reply) return;
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;
      std::string_view type = Str(reply->element[0]);
      std::string_view channel = Str(reply->element[1]);
      if (type == "subscribe") {
        if (++confirmed == 2) {
          Flush();       // messages may have been missed while we were away
          Heard(asked);  // nothing published after it reached Redis can be missed
          connected_.store(true);
          spdlog::info("cache: near tier: invalidation channel {} up", inval_channel_);
        }
      } else if (type == "message") {
        std::string_view payload = Str(reply->element[2]);
        if (channel == ack_channel_) {
          uint64_t seq = 0;
          std::from_chars(payload.data(), payload.data() + payload.size(), seq);
          Acknowledged(seq);
        } else {
          Apply(payload);
        }
      }
    }
  }

  // "<origin> <seq> <kind> <key>": drop the copy, then acknowledge to the origin.
  void Apply(std::string_view payload) {
    auto sp1 = payload.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : payload.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 + 3 > payload.size()) return;
    std::string_view origin = payload.substr(0, sp1);
    std::string_view seq = payload.substr(sp1 + 1, sp2 - sp1 - 1);
    char kind = payload[sp2 + 1];
    if (kind == 'h') {  // only our own heartbeats' times are on our clock
      int64_t sent = 0;
      if (origin == id_ && std::from_chars(seq.data(), seq.data() + seq.size(), sent).ec == std::errc()) Heard(sent);
      return;
    }
    std::string_view key = payload.substr(sp2 + 3);
    {
      MutexLock lock(mu_);
      if (kind == 'c')
        counters_.erase(std::string(key));
      else if (kind == 'v')
        values_->Delete(key);
      else if (kind == 'p')
        values_->DeletePattern(key);
      ++seq_;
    }
    if (origin == id_) {
      uint64_t n = 0;
      std::from_chars(seq.data(), seq.data() + seq.size(), n);
      Acknowledged(n);
    } else {
      Publish(options_.key_prefix + ":near:ack:" + std::string(origin), std::string(seq));
    }
  }

  std::unique_ptr<Cache> remote_;
  std::unique_ptr<Cache> values_;  // memory://, bounded by near_max_entries
  const RedisTarget target_;
  const CacheOptions options_;
  const std::string id_;
  const std::string inval_channel_;
  const std::string ack_channel_;

  std::atomic<bool> connected_{false};
  std::atomic<int64_t> last_heard_{0};  // steady-clock ns: sending time of our last heartbeat back (or SUBSCRIBE)
  std::atomic<int64_t> near_hits_{0}, near_misses_{0};

  Mutex mu_;
  uint64_t seq_ GUARDED_BY(mu_) = 0;  // bumped by every invalidation
  std::unordered_map<std::string, CounterCopy> counters_ GUARDED_BY(mu_);

  Mutex pub_mu_;
  std::unique_ptr<Connection> pub_ GUARDED_BY(pub_mu_);

  std::atomic<uint64_t> next_message_{0};
  Mutex ack_mu_;
  std::condition_variable_any ack_cv_;
  std::map<uint64_t, int64_t> acks_ GUARDED_BY(ack_mu_);  // message -> acknowledgements so far

  Mutex sub_mu_;
  std::condition_variable_any sub_cv_;
  bool stop_ GUARDED_BY(sub_mu_) = false;
  Connection* sub_ GUARDED_BY(sub_mu_) = nullptr;  // the subscriber's, while it listens
  std::thread subscriber_;                         // last: they start after everything above exists
  std::thread heartbeat_;
};

}  // namespace

Result<std::unique_ptr<Cache>> NewNearCache(const std::string& url, const CacheOptions& options) {
  auto target = MakeRedisTarget(url, options);
  if (!target) return std::move(target).error();
  if (options.near_max_entries < 1)
    return Error::Invalid("near_max_entries must be at least 1", "cache_near_max_entries");
  if (options.near_ttl <= 0ms) return Error::Invalid("near_ttl_ms must be positive", "cache_near_ttl_ms");
  if (options.near_ack_timeout <= 0ms)
    return Error::Invalid("near_ack_timeout_ms must be positive", "cache_near_ack_timeout_ms");
  auto remote = NewRedisCache(url, options);
  if (!remote) return std::move(remote).error();
  CacheOptions local = options;
  local.max_entries = options.near_max_entries;
  local.shards = static_cast<int>(std::min<int64_t>(16, options.near_max_entries));
  auto values = NewMemoryCache(local);
  if (!values) return std::move(values).error();
  return std::unique_ptr<Cache>(new NearCache(std::move(*remote), std::move(*values), std::move(*target), options));
}

}  // namespace rota::cache
