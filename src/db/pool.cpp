// Pool: a fixed number of connections shared by request threads.
//
// Invariant (under mu_): open_ = idle_.size() + leased_ + connections being
// opened, and open_ <= size_. Acquire() takes an idle connection if there is
// one, else reserves a slot (open_ += 1) and opens a connection outside the
// lock, giving the slot back if that fails. A returned connection that is no
// longer Healthy() is closed and its slot freed, so the next Acquire() reopens
// one lazily.
#include <utility>

#include "db/database.hpp"

namespace rota::db {

Pool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (conn_) pool_->Release(std::move(conn_));
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Pool::Pool(std::string url, int size, std::chrono::milliseconds wait, Dialect d, ConnectOptions options)
    : url_(std::move(url)), size_(size), wait_(wait), dialect_(d), options_(options) {}

// REQUIRES: every Lease has been returned.
Pool::~Pool() = default;

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& url, int size, std::chrono::milliseconds wait,
                                         ConnectOptions options) {
  if (size < 1) return Error::Invalid("database pool size must be at least 1");
  auto dialect = DialectOf(url);
  if (!dialect) return dialect.status();
  auto first = Connect(url, options);
  if (!first) return first.status();
  std::unique_ptr<Pool> pool(new Pool(url, size, wait, *dialect, options));
  MutexLock lock(pool->mu_);  // no other thread has it yet; the analysis wants the lock all the same
  pool->idle_.push_back(std::move(first).value());
  pool->open_ = 1;
  return pool;
}

Result<Pool::Lease> Pool::Acquire() {
  MutexLock lock(mu_);
  // A loop rather than wait_for's predicate: the analysis cannot see that a
  // lambda runs under the lock.
  const auto deadline = std::chrono::steady_clock::now() + wait_;
  while (idle_.empty() && open_ >= size_) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= size_)
      return Error::Unavailable("no database connection free within " + std::to_string(wait_.count()) + " ms");
  }
  ++leased_;
  if (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  auto c = Connect(url_, options_);
  if (!c) {
    lock.lock();
    --open_;
    --leased_;
    lock.unlock();
    cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(c).value());
}

void Pool::Release(std::unique_ptr<Connection> c) {
  bool keep = c->Healthy();
  {
    MutexLock lock(mu_);
    --leased_;
    if (keep) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
  // An unhealthy connection is closed here, outside the lock.
}

int Pool::in_use() const {
  MutexLock lock(mu_);
  return leased_;
}

}  // namespace rota::db
