#include "cache/single_flight.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace rota::cache {
namespace {

using namespace std::chrono_literals;

// Spins until `done()` or a generous deadline; returns whether it became true.
template <class Pred>
bool WaitUntil(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

TEST(SingleFlight, FiftyConcurrentMissesRunTheComputationOnce) {
  SingleFlight<std::string> flight;
  constexpr int kCallers = 50;
  std::atomic<int> runs{0};
  std::vector<std::string> got(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      got[static_cast<size_t>(i)] = flight.Do("dashboard:h1:g1:aa", [&] {
        ++runs;
        // Hold the flight open until every other caller has joined it.
        EXPECT_TRUE(WaitUntil([&] { return flight.WaitersForTest("dashboard:h1:g1:aa") == kCallers - 1; }));
        return std::string("the dashboard");
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  for (const auto& value : got) EXPECT_EQ(value, "the dashboard");
  EXPECT_EQ(flight.InFlightForTest(), 0u);
}

TEST(SingleFlight, DifferentKeysRunSeparatelyAndConcurrently) {
  SingleFlight<int> flight;
  std::atomic<int> started{0};
  auto compute = [&](int value) {
    ++started;
    // Each computation waits for the other to start: it would time out if
    // one key's caller were queued behind the other key's flight.
    EXPECT_TRUE(WaitUntil([&] { return started.load() == 2; }));
    return value;
  };
  int a = 0, b = 0;
  std::thread ta([&] { a = flight.Do("a", [&] { return compute(1); }); });
  std::thread tb([&] { b = flight.Do("b", [&] { return compute(2); }); });
  ta.join();
  tb.join();
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
}

TEST(SingleFlight, AFinishedFlightIsForgottenSoTheNextCallComputesAfresh) {
  SingleFlight<int> flight;
  int runs = 0;
  EXPECT_EQ(flight.Do("k", [&] { return ++runs; }), 1);
  EXPECT_EQ(flight.Do("k", [&] { return ++runs; }), 2);
  EXPECT_EQ(flight.InFlightForTest(), 0u);
}

TEST(SingleFlight, TheLeadersExceptionReachesEveryWaiterWithoutDeadlock) {
  SingleFlight<std::string> flight;
  constexpr int kCallers = 10;
  std::atomic<int> runs{0}, caught{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      try {
        flight.Do("k", [&]() -> std::string {
          ++runs;
          EXPECT_TRUE(WaitUntil([&] { return flight.WaitersForTest("k") == kCallers - 1; }));
          throw std::runtime_error("database down");
        });
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "database down") ++caught;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(caught.load(), kCallers);
  EXPECT_EQ(flight.InFlightForTest(), 0u);
  // The failure is not remembered: the next call runs its own computation.
  EXPECT_EQ(flight.Do("k", [] { return std::string("recovered"); }), "recovered");
}

}  // namespace
}  // namespace rota::cache
