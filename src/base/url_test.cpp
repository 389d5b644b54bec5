#include "base/url.hpp"

#include <gtest/gtest.h>

namespace rota {
namespace {

TEST(RedactUrl, HidesThePasswordOfEveryForm) {
  EXPECT_EQ(RedactUrl("redis://:s3cret@cache.example:6380/2"), "redis://:***@cache.example:6380/2");
  EXPECT_EQ(RedactUrl("rediss://rota:s3cret@cache.example:6380"), "rediss://rota:***@cache.example:6380");
  EXPECT_EQ(RedactUrl("redis+sentinel://u:pw@s1:26379,s2:26379,s3:26379/mymaster/1"),
            "redis+sentinel://u:***@s1:26379,s2:26379,s3:26379/mymaster/1");
  EXPECT_EQ(RedactUrl("postgresql://rota:pw@h1:5432,h2:5432/rota?target_session_attrs=read-write"),
            "postgresql://rota:***@h1:5432,h2:5432/rota?target_session_attrs=read-write");
  // Unencoded '@', '/' and '?' inside a password are still hidden.
  EXPECT_EQ(RedactUrl("redis://u:p@ss/w?rd@host:1/0"), "redis://u:***@host:1/0");
  // Query parameters: libpq's password= and anything ending in "password".
  EXPECT_EQ(RedactUrl("postgresql://h/db?user=u&password=pw&sslmode=verify-full&sslpassword=k"),
            "postgresql://h/db?user=u&password=***&sslmode=verify-full&sslpassword=***");
  EXPECT_EQ(RedactUrl("postgresql://h/db?Password=pw#frag"), "postgresql://h/db?Password=***#frag");
  // libpq's key/value form.
  EXPECT_EQ(RedactUrl("host=h password=pw dbname=rota"), "host=h password=*** dbname=rota");
  EXPECT_EQ(RedactUrl("host=h password = 'a b\\' c' user=u"), "host=h password = *** user=u");
}

TEST(RedactUrl, LeavesUrlsWithoutPasswordsAlone) {
  for (const char* same : {"memory://", "sqlite://rota.db", "sqlite:///abs/path.db", "redis://127.0.0.1:6379/0",
                           "postgresql://rota@h/db", "postgresql://h:5432/db?sslmode=require", "", "host=h user=u"})
    EXPECT_EQ(RedactUrl(same), same);
}

TEST(PercentDecode, DecodesAndRefusesTruncatedEscapes) {
  EXPECT_EQ(*PercentDecode("p%40ss%3Aw%2Fd%25"), "p@ss:w/d%");
  EXPECT_EQ(*PercentDecode("plain"), "plain");
  for (const char* bad : {"%", "%4", "%zz", "a%g0"}) EXPECT_FALSE(PercentDecode(bad)) << bad;
}

TEST(ParseCacheUrl, ReadsEveryProductionForm) {
  auto m = ParseCacheUrl("memory://");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, CacheUrl::Kind::kMemory);

  auto plain = ParseCacheUrl("redis://127.0.0.1:6390/3");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->kind, CacheUrl::Kind::kRedis);
  EXPECT_FALSE(plain->tls);
  EXPECT_FALSE(plain->password);
  ASSERT_EQ(plain->nodes.size(), 1u);
  EXPECT_EQ(plain->nodes[0].host, "127.0.0.1");
  EXPECT_EQ(plain->nodes[0].port, 6390);
  EXPECT_EQ(plain->db, 3);

  auto acl = ParseCacheUrl("rediss://rota%2Dapp:p%40ss%3Aword@cache.example");
  ASSERT_TRUE(acl);
  EXPECT_TRUE(acl->tls);
  EXPECT_EQ(acl->user, "rota-app");
  EXPECT_EQ(*acl->password, "p@ss:word");
  EXPECT_EQ(acl->nodes[0].port, 6379);
  EXPECT_EQ(acl->db, 0);

  auto pw_only = ParseCacheUrl("redis://:secret@[::1]:7000/");
  ASSERT_TRUE(pw_only);
  EXPECT_EQ(pw_only->user, "");
  EXPECT_EQ(*pw_only->password, "secret");
  EXPECT_EQ(pw_only->nodes[0].host, "::1");
  EXPECT_EQ(pw_only->nodes[0].port, 7000);

  auto sentinel = ParseCacheUrl("rediss+sentinel://:pw@s1,s2:26380,[::1]:26381/my%20master/4");
  ASSERT_TRUE(sentinel);
  EXPECT_EQ(sentinel->kind, CacheUrl::Kind::kSentinel);
  EXPECT_TRUE(sentinel->tls);
  ASSERT_EQ(sentinel->nodes.size(), 3u);
  EXPECT_EQ(sentinel->nodes[0].port, 26379);
  EXPECT_EQ(sentinel->nodes[1].host, "s2");
  EXPECT_EQ(sentinel->nodes[2].host, "::1");
  EXPECT_EQ(sentinel->service, "my master");
  EXPECT_EQ(sentinel->db, 4);
}

TEST(ParseCacheUrl, RefusesMalformedUrlsNamingTheSettingWithoutThePassword) {
  for (const char* bad : {"redis://",
                          "redis://:6379",
                          "redis://h:0",
                          "redis://h:65536",
                          "redis://h:x",
                          "redis://h/x",
                          "redis://h,h2",
                          "redis://user@h",
                          "redis://:@h",
                          "redis://:p%zz@h",
                          "redis://h?timeout=1",
                          "redis://h /0",
                          "redis+sentinel://s1:26379",
                          "redis+sentinel://s1/",
                          "redis+sentinel://s1/m/x",
                          "redis://[::1",
                          "redis://[::1]x",
                          "http://h",
                          "memcached://h",
                          "redis://h:",
                          "redis://h,/0"}) {
    auto r = ParseCacheUrl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("ROTA_CACHE_URL"), std::string::npos) << r.error().message;
  }
  auto r = ParseCacheUrl("redis://u:topsecret@h:x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("topsecret"), std::string::npos) << r.error().message;
}

TEST(IsLoopbackHost, KnowsLocalhostAndTheLoopbackNets) {
  for (const char* yes : {"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"})
    EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
  for (const char* no : {"10.0.0.1", "cache.example", "127.example.com", "0.0.0.0", ""})
    EXPECT_FALSE(IsLoopbackHost(no)) << no;
}

}  // namespace
}  // namespace rota
