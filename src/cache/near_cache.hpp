// The near tier: an in-process copy of hot values and generation counters in
// front of Redis, so a hot dashboard is served without a network hop, kept
// coherent across servers through Redis pub/sub.
//
// Channels, under the deployment's prefix P:
//   P:near:inval        every server publishes here what it changed:
//                       "<origin> <seq> c <key>"  a counter was incremented
//                       "<origin> <seq> v <key>"  a value was deleted
//                       "<origin> <seq> p <glob>" values matching a glob were deleted
//                       "<origin> <sent> h -"     a heartbeat (steady-clock ns at the origin)
//   P:near:ack:<origin> each server that applied a message answers "<seq>" to its origin.
//
// Read-your-writes across servers. Incr (a committed write's generation bump)
// increments the counter in Redis, publishes the change and then waits until
// every subscribed server (PUBLISH answers how many) has acknowledged it, at
// most `near_ack_timeout`. So when a write is acknowledged to its client,
// every server's near tier has already dropped its old generation: the next
// read anywhere builds the new key. If a server fails to acknowledge in time
// (it is stalled), the writer logs it and goes on; that server's near copies
// still expire after `near_ttl`.
//
// Leases. Every server publishes a heartbeat, stamped with the time it sent
// it, every quarter of `near_ack_timeout` (the lease); a near tier answers only
// within a lease of the sending time of the last of its own heartbeats that has
// come back on its subscription (or of its SUBSCRIBE). Everything published
// before that heartbeat has then been applied (one channel, delivered in
// order). A writer whose increment or broadcast cannot reach Redis, or whose
// broadcast is not confirmed by every server, waits out a whole lease after
// publishing before its write is acknowledged: by then every server either
// applied the invalidation or has had none of its heartbeats back since before
// the write and stopped answering from memory. The lease runs from when a
// heartbeat was sent, not from when it arrived: a subscriber that lags behind
// its socket would otherwise keep answering a stale copy after the write (seen
// under ThreadSanitizer's slowdown). So even a Redis that dies between a write
// and its broadcast cannot leave a stale copy answering after the write is
// acknowledged.
//
// Never stale when the channel drops. The near tier answers only while its own
// subscription is up. When the subscriber connection drops, the tier stops
// answering (everything goes to Redis, or to the database while Redis is
// down) and empties itself; when it is back, it empties itself again (it may
// have missed messages) before answering. Copies are stored only if no
// invalidation arrived while they were being fetched (a sequence number), so
// a slow fetch cannot store an old counter after its invalidation.
//
// Limits (README, deployment): a network partition that leaves the subscriber
// connection open but silent is noticed by TCP keep-alive only, so near copies
// there are bounded by near_ttl alone.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "cache/cache.hpp"

namespace rota::cache {

// A redis:// cache with the near tier (options.near).
Result<std::unique_ptr<Cache>> NewNearCache(const std::string& url, const CacheOptions& options);

}  // namespace rota::cache
