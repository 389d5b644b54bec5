// The production forms of a Redis cache against real redis-servers of the test's
// own: a password-only Redis (requirepass), and a TLS-only Redis (certificates made
// here with openssl) whose only user rota may use is an ACL user restricted to our
// prefix and channels, with KEYS denied — exactly the ACL the README gives. Also what
// is refused and how: a wrong or missing password, an untrusted certificate, a
// certificate for another name, a missing client certificate (configuration errors,
// CheckAccess names them), and an unreachable Redis (degraded, never an error).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "cache/cache.hpp"
#include "support/support.hpp"

namespace rota::cache {
namespace {

using namespace std::chrono_literals;

// The ACL of the README, for user `rota` with password "p@ss:w/rd" (percent-encoded
// in URLs), each rule quoted for the shell (redis-server reads them as one line).
constexpr const char* kAclRules =
    "'~rota*' '&rota*' +ping +select +info +role +get +mget +set +strlen +exists +incr +pttl +pexpire +del +unlink "
    "+zadd "
    "+zremrangebyscore +zcard +zpopmin +eval +scan +publish +subscribe -keys";
constexpr const char* kPassword = "p@ss:w/rd";
constexpr const char* kPasswordInUrl = "p%40ss%3Aw%2Frd";

std::string Prefix() { return "rota_a" + testing::RunTag(); }

int Sh(const std::string& cmd) { return std::system(("(" + cmd + ") >/dev/null 2>&1").c_str()); }

// A CA, a server certificate for 127.0.0.1 only (an IP SAN, no names) and a client
// certificate, all signed by that CA; EC keys (quick to make).
struct Certificates {
  testing::TempDir dir;
  bool made = false;
  Certificates() {
    const std::string d = dir.path();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    made = Sh("cd " + d + " && openssl req -x509 " + ec +
              " -keyout ca.key -out ca.crt -days 2 -subj /CN=rota-test-ca") == 0 &&
           Sh("cd " + d + " && printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && openssl req " + ec +
              " -keyout server.key -out server.csr -subj /CN=rota-test-redis && openssl x509 -req -in server.csr "
              "-CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt") == 0 &&
           Sh("cd " + d + " && openssl req " + ec +
              " -keyout client.key -out client.csr -subj /CN=rota && "
              "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt") == 0;
  }
  std::string File(const std::string& name) const { return dir.File(name); }
};

testing::RedisOptions TlsAclRedis(const Certificates& certs) {
  testing::RedisOptions o;
  o.tls = true;
  o.server_args = "--tls-cert-file " + certs.File("server.crt") + " --tls-key-file " + certs.File("server.key") +
                  " --tls-ca-cert-file " + certs.File("ca.crt") + " --tls-auth-clients yes" +
                  " --user default off --user admin on '>adminpw' '~*' '&*' '+@all' --user rota on '>" + kPassword +
                  "' " + kAclRules;
  o.cli_args = "--tls --cacert " + certs.File("ca.crt") + " --cert " + certs.File("client.crt") + " --key " +
               certs.File("client.key") + " --user admin --pass adminpw --no-auth-warning";
  return o;
}

CacheOptions TlsOptions(const Certificates& certs) {
  CacheOptions o;
  o.key_prefix = Prefix();
  o.tls_ca_file = certs.File("ca.crt");
  o.tls_cert_file = certs.File("client.crt");
  o.tls_key_file = certs.File("client.key");
  o.connect_timeout = o.socket_timeout = 2000ms;
  return o;
}

std::unique_ptr<Cache> Make(const std::string& url, const CacheOptions& o) {
  auto c = MakeCache(url, o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(c).value() : nullptr;
}

// Every kind of call rota makes, each checked for its effect.
void ExerciseEverything(Cache& cache) {
  cache.Set("dashboard:h1:g1:x", "value", 60s);
  EXPECT_EQ(cache.Get("dashboard:h1:g1:x"), "value");
  cache.Set("static:forever", "v", kNoExpiry);
  EXPECT_EQ(cache.Get("static:forever"), "v");
  auto g = cache.Counter("gen:h1");
  ASSERT_TRUE(g);
  EXPECT_EQ(cache.Incr("gen:h1"), *g + 1);
  EXPECT_TRUE(cache.TryLock("fill:x", 5000ms));
  EXPECT_FALSE(cache.TryLock("fill:x", 5000ms)) << "the lock is held";
  cache.Unlock("fill:x");
  EXPECT_TRUE(cache.TryLock("fill:x", 5000ms)) << "Unlock released it";
  EXPECT_TRUE(cache.Delete("static:forever"));
  cache.Set("dashboard:h2:g1:y", "value", 60s);
  EXPECT_EQ(cache.DeletePattern("dashboard:*"), 2);
  cache.Set("dashboard:h3:g1:z", "value", 60s);
  CacheStats s = cache.Stats();
  EXPECT_EQ(s.keys, 1);
  EXPECT_GE(s.counters, 1);
  EXPECT_TRUE(s.used_memory);
  EXPECT_EQ(cache.MaxmemoryPolicy(), "noeviction");
  EXPECT_EQ(cache.health(), Health::kHealthy);
  EXPECT_TRUE(cache.CheckAccess().ok());
}

TEST(RedisAuth, TlsWithAnAclUserRestrictedToOurPrefixServesEverything) {
  Certificates certs;
  ASSERT_TRUE(certs.made) << "openssl could not make the test certificates";
  testing::RedisProcess redis(TlsAclRedis(certs));
  ASSERT_TRUE(redis.Start()) << "redis-server with TLS did not start (see " << redis.dir() << ")";
  const std::string url =
      "rediss://rota:" + std::string(kPasswordInUrl) + "@127.0.0.1:" + std::to_string(redis.port()) + "/0";

  auto cache = Make(url, TlsOptions(certs));
  ASSERT_TRUE(cache);
  ExerciseEverything(*cache);

  // The near tier: a subscriber and a publisher on their own connections, heartbeats, acks.
  CacheOptions near = TlsOptions(certs);
  near.near = true;
  near.key_prefix = Prefix() + "n";
  auto with_near = Make(url, near);
  ASSERT_TRUE(with_near);
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i, std::this_thread::sleep_for(50ms))
    up = with_near->Stats().near_connected == true;
  EXPECT_TRUE(up) << "the near tier's invalidation channel never came up";
  ExerciseEverything(*with_near);
  with_near.reset();

  // Nothing rota sent was denied, and the ACL is what the README says: KEYS is not allowed.
  EXPECT_EQ(redis.Cli("ACL LOG"), "") << "rota sent a command its ACL user may not run";
  std::string keys =
      testing::RedisCli(url, "--tls --cacert " + certs.File("ca.crt") + " --cert " + certs.File("client.crt") +
                                 " --key " + certs.File("client.key") + " --no-auth-warning KEYS '*'");
  EXPECT_NE(keys.find("NOPERM"), std::string::npos) << keys;
}

TEST(RedisAuth, CertificateProblemsAreConfigurationErrorsNamingTheSetting) {
  Certificates certs;
  ASSERT_TRUE(certs.made);
  testing::RedisProcess redis(TlsAclRedis(certs));
  ASSERT_TRUE(redis.Start());
  const std::string port = std::to_string(redis.port());
  const std::string url = "rediss://rota:" + std::string(kPasswordInUrl) + "@127.0.0.1:" + port;

  auto refused = [&](const std::string& u, const CacheOptions& o, const std::string& expect) {
    SCOPED_TRACE(u);
    auto cache = Make(u, o);
    ASSERT_TRUE(cache);
    auto start = std::chrono::steady_clock::now();
    Status s = cache->CheckAccess();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "never a hang";
    ASSERT_FALSE(s.ok()) << u << " should be refused (" << expect << ")";
    EXPECT_NE(s.error().message.find("ROTA_CACHE_URL"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(expect), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.find(kPassword), std::string::npos) << "a password was printed";
    EXPECT_FALSE(cache->Get("x")) << "a refused cache serves nothing";
    EXPECT_EQ(cache->health(), Health::kDegraded);
  };
  // Our CA not given: the system's CAs do not know it.
  CacheOptions system_cas = TlsOptions(certs);
  system_cas.tls_ca_file.clear();
  refused(url, system_cas, "not trusted");
  // The certificate is for 127.0.0.1, not for the name "localhost".
  refused("rediss://rota:" + std::string(kPasswordInUrl) + "@localhost:" + port, TlsOptions(certs), "not trusted");
  // The server demands a client certificate.
  CacheOptions no_client = TlsOptions(certs);
  no_client.tls_cert_file.clear();
  no_client.tls_key_file.clear();
  refused(url, no_client, "TLS");
  // A wrong password, and a user who does not exist.
  refused("rediss://rota:wrong@127.0.0.1:" + port, TlsOptions(certs), "refused the credentials of user 'rota'");
  refused("rediss://nobody:" + std::string(kPasswordInUrl) + "@127.0.0.1:" + port, TlsOptions(certs),
          "refused the credentials");

  // A CA file that is not one is refused when the cache is made.
  CacheOptions bad_ca = TlsOptions(certs);
  bad_ca.tls_ca_file = certs.File("san.ext");
  auto made = MakeCache(url, bad_ca);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("ROTA_CACHE_TLS_CA_FILE"), std::string::npos) << made.error().message;
}

TEST(RedisAuth, PasswordOnlyRedisNeedsTheRightPassword) {
  testing::RedisOptions o;
  o.server_args = "--requirepass s3cret";
  o.cli_args = "-a s3cret --no-auth-warning";
  testing::RedisProcess redis(o);
  ASSERT_TRUE(redis.Start());
  const std::string at = "@127.0.0.1:" + std::to_string(redis.port()) + "/0";
  CacheOptions opts;
  opts.key_prefix = Prefix();
  opts.connect_timeout = opts.socket_timeout = 2000ms;

  auto good = Make("redis://:s3cret" + at, opts);
  ASSERT_TRUE(good);
  good->Set("k", "v", 60s);
  EXPECT_EQ(good->Get("k"), "v");
  EXPECT_EQ(redis.Cli("GET " + opts.key_prefix + ":v:k"), "v");
  EXPECT_TRUE(good->CheckAccess().ok());

  for (const auto& [url, expect] :
       {std::pair<std::string, std::string>{"redis://:wrong-pw" + at, "refused the credentials"},
        {"redis://127.0.0.1:" + std::to_string(redis.port()), "requires a password"}}) {
    auto bad = Make(url, opts);
    ASSERT_TRUE(bad);
    Status s = bad->CheckAccess();
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_NE(s.error().message.find(expect), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.find("wrong-pw"), std::string::npos) << "a password was printed";
    EXPECT_FALSE(bad->Get("k"));
    EXPECT_FALSE(bad->Counter("gen:h1")) << "readers bypass a cache that refuses us";
  }
}

TEST(RedisAuth, AnUnreachableRedisIsDegradedNotMisconfigured) {
  CacheOptions opts;
  opts.connect_timeout = opts.socket_timeout = 500ms;
  auto cache = Make("rediss://u:pw@127.0.0.1:" + std::to_string(testing::FreePort()), opts);
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->CheckAccess().ok());
  EXPECT_FALSE(cache->Get("k"));
  EXPECT_EQ(cache->health(), Health::kDegraded);
}

}  // namespace
}  // namespace rota::cache
