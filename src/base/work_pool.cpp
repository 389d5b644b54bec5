#include "base/work_pool.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>

namespace rota {

WorkPool::WorkPool(int threads, size_t queue_limit, int nice)
    : queue_limit_(std::max<size_t>(1, queue_limit)), nice_(nice) {
  // Workers take no signals (they inherit this mask): a process that waits for
  // SIGTERM with sigwait() on one thread must not have it delivered here.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  for (int i = 0; i < std::max(1, threads); ++i) workers_.emplace_back([this] { Work(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

WorkPool::~WorkPool() { Shutdown(); }

bool WorkPool::TrySubmit(std::function<void()> task) {
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void WorkPool::Shutdown() {
  {
    MutexLock lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  MutexLock lock(mu_);
  workers_.clear();
}

size_t WorkPool::Queued() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void WorkPool::Work() {
  if (nice_ != 0) {
    // On Linux a nice value belongs to the thread (its tid), not the process.
    errno = 0;
    int current = ::getpriority(PRIO_PROCESS, 0);
    if (errno == 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), std::min(19, current + nice_));
  }
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) wake_.wait(lock);
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace rota
