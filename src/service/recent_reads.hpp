// The cached answers this server was asked for lately, so that a write can have
// them recomputed at once (CachedReads's refresh after write).
//
// A write retires every cached answer that shows what it changed; without help
// the next reader of each pays the miss, and on a busy dashboard that reader is
// a manager waiting. CachedReads touches an entry here on every cached read
// (hit or miss) with the job that recomputes it; after a commit it asks Due()
// for the hot entries of the homes and families the write touched, most
// recently read first, and runs their jobs. Hot: read at least twice, the
// last two reads within the window. An answer read once (a manager looking at
// one odd range, the entries a warm-up or a scan fills) is not worth
// recomputing after every write: measured, refreshing those cost a busy server
// 60% of its throughput under 5% writes and did not raise its hit rate.
//
// Bounded: kShards shards of at most kShardCapacity entries each. A full shard
// first forgets entries not read within the window; if it is still full the
// new key replaces the least recently read entry that is not hot, and is not
// remembered if every entry is hot (a scan of distinct ranges replaces its own
// entries and cannot push the hot ones out). Thread-safe; Touch costs one shard
// lock and one hash lookup when the key is known (and a walk of one shard when
// a full one takes a new key).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.hpp"
#include "cache/cache.hpp"

namespace rota::service {

class RecentReads {
 public:
  using Clock = std::chrono::steady_clock;
  // A write's generation counters: counter key -> its value after the write's
  // increment (nullopt: the increment could not be delivered). Counters the
  // write did not touch are absent.
  using Bumped = std::unordered_map<std::string, std::optional<int64_t>>;
  // An answer computed before the write's increment: the cache stores it with
  // the increment if no other write came between (Cache::IncrMany); if it did
  // not, `otherwise` is run with the counters the increment made.
  struct Prepared {
    cache::Cache::Prepared answer;
    std::function<void(const Bumped&)> otherwise;
  };
  // What recomputes an entry, one object per entry (CachedReads makes them),
  // with its two ways of doing it. Shared: Due hands out the entry's own job,
  // which stays valid after the entry is forgotten. Both may run on any thread,
  // concurrently.
  class Refresh {
   public:
    virtual ~Refresh() = default;
    // Before the write's counters are incremented: reads the counters and
    // computes the answer (nullopt if there is nothing to store). What it
    // returns may use this job until it has run.
    virtual std::optional<Prepared> Prepare() const = 0;
    // After the increment: recomputes the answer and stores it.
    virtual void Run() const = 0;
  };
  using Job = std::shared_ptr<const Refresh>;

  static constexpr size_t kShards = 16;
  static constexpr size_t kShardCapacity = 256;

  explicit RecentReads(std::chrono::seconds window = std::chrono::seconds(60)) : window_(window) {}

  // Records a read of `key`, an answer about `home` (0: all homes) showing
  // `families`, at `now`. `make` is called only when the key is new here, to
  // build the job that recomputes the answer; that job must own what it uses
  // (it runs later, on another thread).
  void Touch(const std::string& key, int64_t home, unsigned families, Clock::time_point now,
             const std::function<Job()>& make);

  // The jobs of the hot entries (read twice since now - window) whose families
  // meet `families` and whose home is in `homes` (entries about all homes
  // always qualify), most recently read first, at most `limit`.
  std::vector<Job> Due(const std::set<int64_t>& homes, unsigned families, Clock::time_point now, size_t limit) const;

  size_t size() const;

 private:
  struct Entry {
    int64_t home = 0;
    unsigned families = 0;
    Clock::time_point last_read;
    Clock::time_point previous_read;  // the read before last; min() if read once
    Job job;
  };
  bool Hot(const Entry& e, Clock::time_point now) const {
    return e.previous_read != Clock::time_point::min() && now - e.previous_read <= window_;
  }
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<std::string, Entry> entries GUARDED_BY(mu);
  };

  const std::chrono::seconds window_;
  std::array<Shard, kShards> shards_;
};

}  // namespace rota::service
