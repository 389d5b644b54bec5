// A mutex that clang's thread-safety analysis understands.
//
// libstdc++'s std::mutex carries no capability attributes, so members marked
// GUARDED_BY(a std::mutex) would go unchecked. rota::Mutex wraps std::mutex
// with them; MutexLock is its scoped lock. With clang (-Wthread-safety, on in
// every clang build; scripts/fuzz.sh builds the libraries with clang and
// -Werror) touching a GUARDED_BY member without holding its mutex, or calling
// a REQUIRES function unlocked, does not compile. With GCC the macros are
// empty and the types cost exactly a std::mutex.
//
//   class Counter {
//    public:
//     void Add(int n) { MutexLock lock(mu_); total_ += n; }
//    private:
//     Mutex mu_;
//     int total_ GUARDED_BY(mu_) = 0;
//   };
//
// Both types also satisfy BasicLockable (lock/unlock), so a MutexLock can be
// handed to std::condition_variable_any::wait, which unlocks and relocks it.
#pragma once

#include <mutex>

#if defined(__clang__)
#define ROTA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ROTA_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) ROTA_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY ROTA_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) ROTA_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) ROTA_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) ROTA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) ROTA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) ROTA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) ROTA_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) ROTA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS ROTA_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace rota {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // For std::condition_variable_any::wait and for code that must let go of
  // the lock for a moment (to call out without holding it).
  void lock() ACQUIRE() {
    mu_.lock();
    held_ = true;
  }
  void unlock() RELEASE() {
    held_ = false;
    mu_.unlock();
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

}  // namespace rota
