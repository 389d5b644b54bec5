// SingleFlight: concurrent callers asking for the same key share one computation.
//
// When N threads call Do(key, fn) while a call for `key` is in flight, only the
// first (the leader) runs its fn; the others wait and receive a copy of the
// leader's result — or the leader's exception, rethrown in every waiter. Once
// the leader finishes, the key is forgotten: the next Do(key) computes afresh.
// Different keys never wait for each other. This is the cache's stampede guard:
// 50 simultaneous misses of one dashboard run one database computation.
//
// Thread-safe. fn runs on the leader's thread with no lock held.
// REQUIRES: fn does not call Do with the same key on the same SingleFlight
// (it would wait for itself).
#pragma once

#include <cstddef>
#include <exception>
#include <future>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/mutex.hpp"

namespace rota::cache {

template <class T = std::string>
class SingleFlight {
 public:
  // The result of fn() for `key`, computed once for all callers in flight.
  // Throws whatever the leader's fn threw.
  template <class Fn>
  T Do(const std::string& key, Fn&& fn) {
    std::promise<T> promise;
    {
      MutexLock lock(mu_);
      if (auto it = calls_.find(key); it != calls_.end()) {
        ++it->second.waiters;
        std::shared_future<T> result = it->second.result;
        lock.unlock();
        return result.get();  // a waiter: copies the leader's result
      }
      calls_.emplace(key, Call{promise.get_future().share(), 0});
    }
    // The leader. Publish the outcome first, then forget the key, so nobody
    // can join between the two and wait forever.
    try {
      T value = std::forward<Fn>(fn)();
      promise.set_value(value);
      Forget(key);
      return value;
    } catch (...) {
      promise.set_exception(std::current_exception());
      Forget(key);
      throw;
    }
  }

  // Keys with a computation running now (for tests).
  size_t InFlightForTest() {
    MutexLock lock(mu_);
    return calls_.size();
  }

  // Callers that joined the computation running for `key` (for tests).
  int WaitersForTest(const std::string& key) {
    MutexLock lock(mu_);
    auto it = calls_.find(key);
    return it == calls_.end() ? 0 : it->second.waiters;
  }

 private:
  void Forget(const std::string& key) {
    MutexLock lock(mu_);
    calls_.erase(key);
  }

  struct Call {
    std::shared_future<T> result;  // becomes ready when the leader finishes
    int waiters = 0;               // callers that joined after the leader
  };

  Mutex mu_;
  std::unordered_map<std::string, Call> calls_ GUARDED_BY(mu_);
};

}  // namespace rota::cache
