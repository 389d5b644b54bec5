// A small, bounded pool of worker threads for CPU-heavy work that must not run
// on the I/O threads (password hashing: service/passwords.hpp).
//
// - `threads` workers take tasks in FIFO order from a queue of at most
//   `queue_limit` waiting tasks; TrySubmit refuses (returns false) when it is
//   full, so a flood of work is answered at once (503) instead of piling up.
// - Workers run at a lower priority (`nice`, added to the process's nice
//   value for these threads only; Linux): the scheduler prefers the I/O
//   threads, so a storm of logins slows logins more than other requests. Not
//   SCHED_IDLE: on a busy machine that would starve logins almost entirely.
// - Workers block every signal.
// - Shutdown() (also run by the destructor) refuses new tasks, runs the ones
//   already queued, and joins the workers.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.hpp"

namespace rota {

class WorkPool {
 public:
  WorkPool(int threads, size_t queue_limit, int nice = 0);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (and `task` dropped uncalled) when the queue is full
  // or the pool is shutting down.
  bool TrySubmit(std::function<void()> task) EXCLUDES(mu_);
  void Shutdown() EXCLUDES(mu_);

  // Tasks waiting (not running).
  size_t Queued() const EXCLUDES(mu_);

 private:
  void Work();

  const size_t queue_limit_;
  const int nice_;
  mutable Mutex mu_;
  std::condition_variable_any wake_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;  // joined and cleared by Shutdown()
};

}  // namespace rota
