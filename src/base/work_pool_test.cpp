#include "base/work_pool.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

namespace rota {
namespace {

using namespace std::chrono_literals;

TEST(WorkPool, RunsTasksOnItsOwnThreads) {
  WorkPool pool(2, 8, /*nice=*/10);
  std::promise<std::pair<std::thread::id, int>> ran;
  ASSERT_TRUE(pool.TrySubmit([&] { ran.set_value({std::this_thread::get_id(), ::getpriority(PRIO_PROCESS, 0)}); }));
  auto f = ran.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto [id, nice] = f.get();
  EXPECT_NE(id, std::this_thread::get_id());
  EXPECT_EQ(nice, std::min(19, ::getpriority(PRIO_PROCESS, 0) + 10));  // the worker's own nice value
}

TEST(WorkPool, AFullQueueRefusesWithoutRunningTheTask) {
  WorkPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TrySubmit([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_EQ(pool.Queued(), 2u);
  EXPECT_FALSE(pool.TrySubmit([&] { ran += 100; }));
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(ran, 2);
}

TEST(WorkPool, ShutdownRunsWhatIsQueuedThenRefuses) {
  std::atomic<int> ran{0};
  WorkPool pool(1, 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  pool.Shutdown();
  EXPECT_EQ(ran, 50);
  EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));
  pool.Shutdown();  // twice is harmless
}

}  // namespace
}  // namespace rota
