#include "service/recent_reads.hpp"

#include <algorithm>
#include <iterator>

namespace rota::service {

void RecentReads::Touch(const std::string& key, int64_t home, unsigned families, Clock::time_point now,
                        const std::function<Job()>& make) {
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  MutexLock lock(shard.mu);
  if (auto it = shard.entries.find(key); it != shard.entries.end()) {
    it->second.previous_read = it->second.last_read;
    it->second.last_read = now;
    return;
  }
  if (shard.entries.size() >= kShardCapacity)
    std::erase_if(shard.entries, [&](const auto& kv) { return now - kv.second.last_read > window_; });
  if (shard.entries.size() >= kShardCapacity) {
    // Still full: the new key takes the place of the least recently read entry
    // that was read only once, so a scan of distinct keys replaces its own
    // entries and never a hot one. With nothing but hot entries it is not kept.
    auto victim = shard.entries.end();
    for (auto it = shard.entries.begin(); it != shard.entries.end(); ++it)
      if (!Hot(it->second, now) && (victim == shard.entries.end() || it->second.last_read < victim->second.last_read))
        victim = it;
    if (victim == shard.entries.end()) return;
    shard.entries.erase(victim);
  }
  shard.entries.emplace(key, Entry{home, families, now, Clock::time_point::min(), make()});
}

std::vector<RecentReads::Job> RecentReads::Due(const std::set<int64_t>& homes, unsigned families, Clock::time_point now,
                                               size_t limit) const {
  // Per shard, only its `limit` most recent candidates are copied out.
  auto newer = [](const auto& a, const auto& b) { return a.first > b.first; };
  std::vector<std::pair<Clock::time_point, Job>> due;
  std::vector<std::pair<Clock::time_point, const Entry*>> candidates;
  for (const Shard& shard : shards_) {
    MutexLock lock(shard.mu);
    candidates.clear();
    for (const auto& [key, e] : shard.entries) {
      if (!Hot(e, now) || (e.families & families) == 0) continue;
      if (e.home != 0 && !homes.contains(e.home)) continue;
      candidates.emplace_back(e.last_read, &e);
    }
    const size_t k = std::min(limit, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k), candidates.end(), newer);
    for (size_t i = 0; i < k; ++i) due.emplace_back(candidates[i].first, candidates[i].second->job);
  }
  const size_t n = std::min(limit, due.size());
  std::partial_sort(due.begin(), due.begin() + static_cast<std::ptrdiff_t>(n), due.end(), newer);
  std::vector<Job> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(std::move(due[i].second));
  return out;
}

size_t RecentReads::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    MutexLock lock(shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace rota::service
