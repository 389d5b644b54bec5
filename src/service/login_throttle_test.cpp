#include "service/login_throttle.hpp"

#include <gtest/gtest.h>

namespace rota::service {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  MonotonicClock AsClock() {
    return [this] { return now; };
  }
};

TEST(LoginThrottle, RefusesAUsernameAfterItsLimitUntilTheWindowEnds) {
  FakeClock clock;
  LoginThrottle t({.per_username = 3, .per_address = 100, .window = 600s}, clock.AsClock());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.Check("ann", "10.0.0.1"), std::nullopt) << i;
    t.Failed("ann", "10.0.0.1");
  }
  EXPECT_EQ(t.Check("ann", "10.0.0.2"), 600s);  // from any address
  EXPECT_EQ(t.Check("ANN", "10.0.0.2"), 600s);  // usernames compare case-insensitively
  EXPECT_EQ(t.Check("bob", "10.0.0.1"), std::nullopt);
  clock.now += 599s;
  EXPECT_EQ(t.Check("ann", "10.0.0.1"), 1s);
  clock.now += 1s;
  EXPECT_EQ(t.Check("ann", "10.0.0.1"), std::nullopt);
}

TEST(LoginThrottle, RefusesAnAddressThatGuessesManyUsernames) {
  FakeClock clock;
  LoginThrottle t({.per_username = 100, .per_address = 4, .window = 60s}, clock.AsClock());
  for (int i = 0; i < 4; ++i) t.Failed("user" + std::to_string(i), "192.0.2.7");
  EXPECT_EQ(t.Check("someone-new", "192.0.2.7"), 60s);
  EXPECT_EQ(t.Check("someone-new", "192.0.2.8"), std::nullopt);
}

TEST(LoginThrottle, SuccessClearsTheUsernameButNotTheAddress) {
  FakeClock clock;
  LoginThrottle t({.per_username = 2, .per_address = 3, .window = 60s}, clock.AsClock());
  t.Failed("ann", "a");
  t.Succeeded("ann");
  t.Failed("ann", "a");
  EXPECT_EQ(t.Check("ann", "b"), std::nullopt);  // one failure since the success
  t.Failed("ann", "a");
  EXPECT_NE(t.Check("ann", "b"), std::nullopt);
  EXPECT_NE(t.Check("zed", "a"), std::nullopt);  // the address reached 3
}

TEST(LoginThrottle, SuccessfulLoginsAreLimitedPerAddress) {
  FakeClock clock;
  LoginThrottle t({.per_username = 5, .per_address = 20, .successes_per_address = 3, .window = 60s}, clock.AsClock());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.Check("ann", "198.51.100.1"), std::nullopt) << i;
    t.Succeeded("ann", "198.51.100.1");
  }
  EXPECT_EQ(t.Check("ann", "198.51.100.1"), 60s);
  EXPECT_EQ(t.Check("bob", "198.51.100.1"), 60s);           // the address, whoever logs in
  EXPECT_EQ(t.Check("ann", "198.51.100.2"), std::nullopt);  // not the user elsewhere
  clock.now += 60s;
  EXPECT_EQ(t.Check("ann", "198.51.100.1"), std::nullopt);
}

TEST(LoginThrottle, UnknownAndKnownUsernamesAreCountedAlike) {
  LoginThrottle t({.per_username = 1, .per_address = 100, .window = 60s});
  t.Failed("no-such-user", "a");
  t.Failed("manager1", "a");
  EXPECT_EQ(t.Check("no-such-user", "b").has_value(), t.Check("manager1", "b").has_value());
}

TEST(LoginThrottle, MemoryStaysBounded) {
  FakeClock clock;
  LoginThrottle t({.per_username = 1, .per_address = 1, .window = 60s, .max_tracked = 10}, clock.AsClock());
  for (int i = 0; i < 1000; ++i) {
    clock.now += 1ms;
    t.Failed("u" + std::to_string(i), "");
  }
  // The newest keys are still tracked; the oldest made room.
  EXPECT_NE(t.Check("u999", ""), std::nullopt);
  EXPECT_EQ(t.Check("u0", ""), std::nullopt);
}

}  // namespace
}  // namespace rota::service
