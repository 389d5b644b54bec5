// The memory:// backend: an in-process, sharded LRU cache with TTLs.
// How it works is written at the top of memory_cache.cpp. Callers normally go
// through MakeCache (cache.hpp); this entry point exists for that factory.
#pragma once

#include <memory>

#include "base/status.hpp"
#include "cache/cache.hpp"

namespace rota::cache {

// A memory cache with `options`' bounds. `invalid` if max_entries, max_bytes or
// shards is below 1. The clock, if given, must be callable from any thread.
Result<std::unique_ptr<Cache>> NewMemoryCache(const CacheOptions& options);

}  // namespace rota::cache
