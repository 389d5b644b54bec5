// The cached answers this server was asked for lately, so that a write can have
// them recomputed at once (CachedReads's refresh after write).
//
// A write retires every cached answer that shows what it changed; without help
// the next reader of each pays the miss, and on a busy dashboard that reader is
// a manager waiting. CachedReads touches an entry here on every cached read
// (hit or miss) with the closure that recomputes it; after a commit it asks
// Due() for the entries of the homes and families the write touched that were
// read within the window, most recently read first, and runs their closures in
// the background.
//
// Bounded: kShards shards of at most kShardCapacity entries each. A full shard
// first forgets entries not read within the window; if it is still full the
// new key is not remembered (a scan of distinct ranges cannot push the hot
// entries out: they are already in). Thread-safe; Touch costs one shard lock
// and one hash lookup when the key is known.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.hpp"

namespace rota::service {

class RecentReads {
 public:
  using Clock = std::chrono::steady_clock;
  using Refresh = std::function<void()>;

  static constexpr size_t kShards = 16;
  static constexpr size_t kShardCapacity = 256;

  explicit RecentReads(std::chrono::seconds window = std::chrono::seconds(60)) : window_(window) {}

  // Records a read of `key`, an answer about `home` (0: all homes) showing
  // `families`, at `now`. `make` is called only when the key is new here, to
  // build the closure that recomputes the answer; that closure must own what it
  // uses (it runs later, on another thread).
  void Touch(const std::string& key, int64_t home, unsigned families, Clock::time_point now,
             const std::function<Refresh()>& make);

  // The closures of the entries read since now - window whose families meet
  // `families` and whose home is in `homes` (entries about all homes always
  // qualify), most recently read first, at most `limit`.
  std::vector<Refresh> Due(const std::set<int64_t>& homes, unsigned families, Clock::time_point now,
                           size_t limit) const;

  size_t size() const;

 private:
  struct Entry {
    int64_t home = 0;
    unsigned families = 0;
    Clock::time_point last_read;
    Refresh refresh;
  };
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<std::string, Entry> entries GUARDED_BY(mu);
  };

  const std::chrono::seconds window_;
  std::array<Shard, kShards> shards_;
};

}  // namespace rota::service
