// memory:// — the in-process cache.
//
// Shards. The key space is split into N shards (CacheOptions::shards) by
// XXH3-64 of the key modulo N. Each shard is a complete little cache with its
// own mutex, hash map, LRU list, counters and bounds, so threads touching
// different keys rarely wait for each other, and no operation ever holds two
// shard locks. The bounds are split evenly: shard i may hold max_entries / N
// values (the first max_entries % N shards one more) and likewise for bytes, so
// the shards together never exceed the cache's bounds. The price is that LRU
// order and the bounds are per shard: a value may be evicted while another
// shard has room, and a single value larger than max_bytes / N is never
// stored. N is clamped to max_entries so that every shard can hold a value.
//
// LRU order. Each shard keeps its entries on a circular doubly-linked list
// through a sentinel, `lru_`: lru_.next is the most recently used entry and
// lru_.prev the least. Invariant: an entry is on the list if and only if it is
// in the map, and the list order is the order of last use, where "use" means a
// Set or a Get hit. Delete, Stats and a miss do not reorder anything.
//
// Eviction. After a Set, while the shard holds more than its entry bound or
// its byte bound, the entry at the tail (least recently used) is removed —
// never the one just stored, which fits alone. The walk is from the tail only;
// we do not search the shard for expired entries first.
//
// Homes and kinds. A key built by keys.hpp names its kind of answer and its
// home (`dashboard:h1:...`). Each home may hold at most max_entries_per_home
// values, and each kind within a home (`dashboard:h1`, `shift:h1`) at most
// max_entries_per_prefix (both split over the shards like the other bounds).
// The bounds are what keep one caller from flushing everyone else: a manager
// who asks for 20,000 distinct ranges of their own home's shift list churns
// through that home's shift lists only, because a Set that takes a group over
// its share evicts that group's least recently used value, not the home's
// dashboard nor another home's anything. So each shard also keeps, per group,
// a list through the same entries (`Entry::rings`, sentinel in `Group`), in
// the same order of last use; the narrower bound (the kind's) is applied
// first. Keys that name no home (tests, tools) are bound by the shard's bounds
// only.
//
// TTL. Every entry carries an absolute expiry (`expires_at`, steady clock;
// TimePoint::max() for kNoExpiry). Expiry is lazy: nothing runs in the
// background. An entry whose time has come (now >= expires_at) is removed when
// something finds it — Get (a miss), Set over it, Delete, DeletePattern,
// eviction, or Stats, which sweeps every shard so that `keys` and `bytes`
// report live values only. Each such removal counts one expiration, never an
// eviction or a deletion: every value leaves the cache by exactly one of
// overwrite, Delete/DeletePattern, eviction or expiration.
//
// Byte accounting. An entry is charged key.size() + value.size(): the bytes a
// client stored, which is what Redis's keyspace would be compared against. The
// real memory is higher by a fixed overhead per entry (the map node, the
// Entry's list pointers and expiry and the strings' headers, roughly 150 bytes
// on 64-bit libstdc++), which the bound deliberately leaves out so that the
// same byte numbers mean the same thing on every backend.
//
// Stamped values (stamp.hpp). GetCurrent reads each counter from its shard,
// then asks the value's shard for the value only if its trailer carries those
// counters; a value of older counters is a miss and stays where it is until the
// answer computed next overwrites it under the same key. The trailer is charged
// like the rest of the value.
//
// Counters (Incr) live in a second map per shard under the same mutex. They
// are not entries: no LRU position, no TTL, no charge, never evicted or
// matched by DeletePattern, so a generation number only ever grows.
#include "cache/memory_cache.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.hpp"
#include "cache/keys.hpp"
#include "cache/stamp.hpp"

namespace rota::cache {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

// The groups a value's key may put it in, each with its own bound: its home
// (`h1` of `dashboard:h1:...`) and its kind within the home (`dashboard:h1`).
enum GroupKind : size_t { kHomeGroup = 0, kPrefixGroup = 1, kGroupKinds = 2 };

// The group of kind `g` that `key` belongs to; empty if none (a key that names
// no home belongs to no group).
std::string_view GroupOfKey(std::string_view key, size_t g) {
  return g == kHomeGroup ? HomeOfKey(key) : KindOfKey(key);
}

struct Group;
struct Entry;

// An entry's place on one group's list.
struct Ring {
  Group* group = nullptr;  // the group whose list this is, if any
  Entry* prev = nullptr;   // towards the most recently used
  Entry* next = nullptr;   // towards the least recently used
};

// One stored value; owned by its shard's map, linked into its shard's LRU list
// and into the list of each group its key names.
struct Entry {
  std::string key;
  std::string value;
  TimePoint expires_at = TimePoint::max();
  Entry* prev = nullptr;  // towards the most recently used
  Entry* next = nullptr;  // towards the least recently used
  std::array<Ring, kGroupKinds> rings;

  int64_t Charge() const { return static_cast<int64_t>(key.size() + value.size()); }
  bool ExpiredAt(TimePoint now) const { return now >= expires_at; }
};

// One group's values in a shard: a circular list through `lru.rings[kind]` (a
// sentinel), most recently used first, and their number.
struct Group {
  Group(std::string_view n, size_t kind) : name(n) { lru.rings[kind].next = lru.rings[kind].prev = &lru; }
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
  const std::string name;  // GroupOfKey; the shard's map is keyed by a view of it
  Entry lru;
  int64_t entries = 0;
};

// Hash for maps keyed by std::string but looked up by std::string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Shard {
 public:
  Shard(int64_t max_entries, int64_t max_bytes, std::array<int64_t, kGroupKinds> max_per_group)
      : max_entries_(max_entries), max_bytes_(max_bytes), max_per_group_(max_per_group) {
    lru_.next = lru_.prev = &lru_;
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::optional<std::string> Get(std::string_view key, TimePoint now) {
    MutexLock lock(mu_);
    Entry* e = FindLive(key, now);
    if (!e) return std::nullopt;
    Hit(e);
    return e->value;
  }

  // Get of a value stamped with `generations` (stamp.hpp). One stamped with
  // others is a miss, left in place: the value computed next overwrites it.
  std::optional<std::string> GetStamped(std::string_view key, std::span<const int64_t> generations, TimePoint now) {
    MutexLock lock(mu_);
    Entry* e = FindLive(key, now);
    if (!e) return std::nullopt;
    auto size = StampedValueSize(e->value, generations);
    if (!size) {
      ++misses_;
      return std::nullopt;
    }
    Hit(e);
    return std::string(e->value, 0, *size);
  }

  // Stores `value` until `expires_at`; `store` false removes the key instead.
  void Set(std::string_view key, std::string value, TimePoint expires_at, bool store, TimePoint now) {
    MutexLock lock(mu_);
    ++sets_;
    const int64_t charge = static_cast<int64_t>(key.size() + value.size());
    const bool fits = store && charge <= max_bytes_;
    Entry* e = nullptr;
    if (auto it = map_.find(key); it != map_.end()) {
      e = it->second.get();
      if (e->ExpiredAt(now)) ++expirations_;  // the old value had died already
      if (!fits) {
        Remove(e);
        return;
      }
      bytes_ += charge - e->Charge();
      e->value = std::move(value);
      e->expires_at = expires_at;
      Unlink(e);
    } else {
      if (!fits) return;
      auto owned = std::make_unique<Entry>();
      owned->key = std::string(key);
      owned->value = std::move(value);
      owned->expires_at = expires_at;
      e = owned.get();
      map_.emplace(std::string_view(e->key), std::move(owned));
      bytes_ += charge;
      for (size_t g = 0; g < kGroupKinds; ++g) {
        std::string_view name = GroupOfKey(key, g);
        if (name.empty()) continue;
        auto it = groups_[g].find(name);
        if (it == groups_[g].end()) {
          auto group = std::make_unique<Group>(name, g);
          it = groups_[g].emplace(std::string_view(group->name), std::move(group)).first;
        }
        e->rings[g].group = it->second.get();
        ++it->second->entries;
      }
    }
    PushFront(e);
    EvictOverBounds(e, now);
  }

  bool Delete(std::string_view key, TimePoint now) {
    MutexLock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    const bool live = !it->second->ExpiredAt(now);
    if (!live) ++expirations_;
    Remove(it->second.get());
    return live;
  }

  int64_t DeletePattern(std::string_view glob, TimePoint now) {
    MutexLock lock(mu_);
    int64_t deleted = 0;
    for (Entry* e = lru_.next; e != &lru_;) {
      Entry* next = e->next;
      if (GlobMatch(glob, e->key)) {
        if (e->ExpiredAt(now)) {
          ++expirations_;
        } else {
          ++deleted;
        }
        Remove(e);
      }
      e = next;
    }
    return deleted;
  }

  int64_t Incr(std::string_view key) {
    MutexLock lock(mu_);
    auto it = counters_.find(key);
    if (it == counters_.end()) {
      counters_.emplace(std::string(key), 1);
      return 1;
    }
    return ++it->second;
  }

  int64_t Counter(std::string_view key) {
    MutexLock lock(mu_);
    auto it = counters_.find(key);
    return it == counters_.end() ? 0 : it->second;
  }

  // Sweeps expired entries, then adds this shard's numbers to `stats`.
  void AddStats(CacheStats& stats, TimePoint now) {
    MutexLock lock(mu_);
    for (Entry* e = lru_.next; e != &lru_;) {
      Entry* next = e->next;
      if (e->ExpiredAt(now)) {
        ++expirations_;
        Remove(e);
      }
      e = next;
    }
    stats.hits += hits_;
    stats.misses += misses_;
    stats.sets += sets_;
    stats.evictions += evictions_;
    stats.expirations += expirations_;
    stats.keys += static_cast<int64_t>(map_.size());
    stats.bytes += bytes_;
    stats.counters += static_cast<int64_t>(counters_.size());
  }

 private:
  // The live entry under `key`, or null and a miss counted (an expired entry
  // found on the way is removed).
  Entry* FindLive(std::string_view key, TimePoint now) REQUIRES(mu_) {
    auto it = map_.find(key);
    if (it == map_.end()) {
      ++misses_;
      return nullptr;
    }
    Entry* e = it->second.get();
    if (e->ExpiredAt(now)) {
      ++misses_;
      ++expirations_;
      Remove(e);
      return nullptr;
    }
    return e;
  }

  void Hit(Entry* e) REQUIRES(mu_) {
    ++hits_;
    Unlink(e);
    PushFront(e);
  }

  // `keep` is on the lists and fits the bounds alone. Its groups' bounds
  // first, the narrowest first: what takes a kind of a home's answers over its
  // share costs that kind, then what takes a home over costs that home, not
  // the others.
  void EvictOverBounds(const Entry* keep, TimePoint now) REQUIRES(mu_) {
    for (size_t g : {kPrefixGroup, kHomeGroup}) {
      Group* group = keep->rings[g].group;
      if (!group) continue;
      while (group->entries > max_per_group_[g] && group->lru.rings[g].prev != keep)
        Evict(group->lru.rings[g].prev, now);
    }
    while ((static_cast<int64_t>(map_.size()) > max_entries_ || bytes_ > max_bytes_) && lru_.prev != keep)
      Evict(lru_.prev, now);
  }

  // Removes `victim` to respect a bound: an eviction, unless it had expired anyway.
  void Evict(Entry* victim, TimePoint now) REQUIRES(mu_) {
    if (victim->ExpiredAt(now)) {
      ++expirations_;
    } else {
      ++evictions_;
    }
    Remove(victim);
  }

  // Unlinks, uncharges and frees `e` (and a group's record with its last entry).
  void Remove(Entry* e) REQUIRES(mu_) {
    Unlink(e);
    bytes_ -= e->Charge();
    for (size_t g = 0; g < kGroupKinds; ++g) {
      Group* group = e->rings[g].group;
      if (group && --group->entries == 0) groups_[g].erase(std::string_view(group->name));
    }
    auto it = map_.find(std::string_view(e->key));
    map_.erase(it);  // frees *e; its key must not be touched after this
  }

  void Unlink(Entry* e) REQUIRES(mu_) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = nullptr;
    for (size_t g = 0; g < kGroupKinds; ++g) {
      Ring& r = e->rings[g];
      if (!r.group) continue;
      r.prev->rings[g].next = r.next;
      r.next->rings[g].prev = r.prev;
      r.prev = r.next = nullptr;
    }
  }

  // Makes `e` the most recently used entry, of the shard and of its groups.
  void PushFront(Entry* e) REQUIRES(mu_) {
    e->next = lru_.next;
    e->prev = &lru_;
    lru_.next->prev = e;
    lru_.next = e;
    for (size_t g = 0; g < kGroupKinds; ++g) {
      Ring& r = e->rings[g];
      if (!r.group) continue;
      Entry* head = &r.group->lru;
      r.next = head->rings[g].next;
      r.prev = head;
      head->rings[g].next->rings[g].prev = e;
      head->rings[g].next = e;
    }
  }

  const int64_t max_entries_;
  const int64_t max_bytes_;
  const std::array<int64_t, kGroupKinds> max_per_group_;  // a home's values, a kind's within a home

  Mutex mu_;
  // Keys are views of the owned Entry's `key`, which lives as long as the node.
  std::unordered_map<std::string_view, std::unique_ptr<Entry>> map_ GUARDED_BY(mu_);
  Entry lru_ GUARDED_BY(mu_);  // sentinel
  int64_t bytes_ GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> counters_ GUARDED_BY(mu_);
  // The groups of each kind with values in this shard, by GroupOfKey (a view
  // of the Group's own name); each entry points at its groups.
  std::array<std::unordered_map<std::string_view, std::unique_ptr<Group>>, kGroupKinds> groups_ GUARDED_BY(mu_);
  int64_t hits_ GUARDED_BY(mu_) = 0;
  int64_t misses_ GUARDED_BY(mu_) = 0;
  int64_t sets_ GUARDED_BY(mu_) = 0;
  int64_t evictions_ GUARDED_BY(mu_) = 0;
  int64_t expirations_ GUARDED_BY(mu_) = 0;
};

class MemoryCache final : public Cache {
 public:
  explicit MemoryCache(const CacheOptions& options) : clock_(options.clock) {
    const int64_t n = std::min<int64_t>({options.shards, options.max_entries, options.max_bytes});
    shards_.reserve(static_cast<size_t>(n));
    // A group's share is rounded up per shard, never to 0: a group can store in every shard.
    std::array<int64_t, kGroupKinds> per_group;
    per_group[kHomeGroup] = EntriesPerHome(options);
    per_group[kPrefixGroup] = EntriesPerPrefix(options);
    for (auto& share : per_group) share = (share + n - 1) / n;
    for (int64_t i = 0; i < n; ++i) {
      shards_.push_back(
          std::make_unique<Shard>(EvenShare(options.max_entries, n, i), EvenShare(options.max_bytes, n, i), per_group));
    }
  }

  std::optional<std::string> Get(std::string_view key) override { return ShardOf(key).Get(key, Now()); }

  void Set(std::string_view key, std::string value, std::chrono::seconds ttl) override {
    const TimePoint now = Now();
    ShardOf(key).Set(key, std::move(value), ExpiryAt(now, ttl), ttl >= std::chrono::seconds::zero(), now);
  }

  bool Delete(std::string_view key) override { return ShardOf(key).Delete(key, Now()); }

  std::optional<int64_t> Incr(std::string_view key) override { return ShardOf(key).Incr(key); }

  std::optional<int64_t> Counter(std::string_view key) override { return ShardOf(key).Counter(key); }

  std::optional<Current> GetCurrent(std::span<const std::string> counters, std::string_view key) override {
    Current out;
    out.generations.reserve(counters.size());
    for (const auto& c : counters) out.generations.push_back(ShardOf(c).Counter(c));
    out.value = ShardOf(key).GetStamped(key, out.generations, Now());
    return out;
  }
  bool TryLock(std::string_view, std::chrono::milliseconds) override { return true; }
  void Unlock(std::string_view) override {}
  Health health() override { return Health::kHealthy; }

  int64_t DeletePattern(std::string_view glob) override {
    if (!ValidPattern(glob)) return 0;
    const TimePoint now = Now();
    int64_t deleted = 0;
    for (auto& shard : shards_) deleted += shard->DeletePattern(glob, now);
    return deleted;
  }

  // Each shard is read under its own lock, one after another: the sum is exact
  // for a quiet cache, and within a moment of the truth for a busy one.
  CacheStats Stats() override {
    CacheStats stats;
    stats.backend = "memory";
    stats.health = "ok";
    const TimePoint now = Now();
    for (auto& shard : shards_) shard->AddStats(stats, now);
    stats.used_memory = stats.bytes;
    return stats;
  }

 private:
  // Shard i's part of `total` split over n shards; the parts sum to `total`.
  static int64_t EvenShare(int64_t total, int64_t n, int64_t i) { return total / n + (i < total % n ? 1 : 0); }

  static TimePoint ExpiryAt(TimePoint now, std::chrono::seconds ttl) {
    if (ttl <= std::chrono::seconds::zero()) return TimePoint::max();  // kNoExpiry (negative: not stored)
    const auto room = std::chrono::duration_cast<std::chrono::seconds>(TimePoint::max() - now);
    if (ttl >= room) return TimePoint::max();
    return now + ttl;
  }

  TimePoint Now() const { return MonotonicNow(clock_); }

  Shard& ShardOf(std::string_view key) {
    const uint64_t h = XXH3_64bits(key.data(), key.size());
    return *shards_[h % shards_.size()];
  }

  const MonotonicClock clock_;
  std::vector<std::unique_ptr<Shard>> shards_;  // fixed after construction; no lock needed
};

}  // namespace

Result<std::unique_ptr<Cache>> NewMemoryCache(const CacheOptions& options) {
  if (options.max_entries < 1) return Error::Invalid("cache max_entries must be at least 1", "max_entries");
  if (options.max_bytes < 1) return Error::Invalid("cache max_bytes must be at least 1", "max_bytes");
  if (options.shards < 1) return Error::Invalid("cache shards must be at least 1", "shards");
  if (options.max_entries_per_home < 0)
    return Error::Invalid("cache max_entries_per_home must be at least 0", "max_entries_per_home");
  if (options.max_entries_per_prefix < 0)
    return Error::Invalid("cache max_entries_per_prefix must be at least 0", "max_entries_per_prefix");
  return std::unique_ptr<Cache>(std::make_unique<MemoryCache>(options));
}

}  // namespace rota::cache
