#include "cli/cli.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "base/cidr.hpp"
#include "base/config.hpp"
#include "base/url.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "service/app.hpp"
#include "service/passwords.hpp"
#include "service/seed.hpp"
#include "web/pages.hpp"

namespace rota::cli {
namespace {

int Fail(const std::string& message) {
  std::cerr << "rota: " << message << "\n";
  return 1;
}

int Fail(const Error& e) { return Fail(e.message); }

void SetUpLogging(const Config& config) {
  auto logger = spdlog::stderr_color_mt("rota");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
}

// Blocks SIGINT/SIGTERM in every thread (call before starting any) and returns
// a thread that waits for one and calls `on_signal`.
// SIGINT and SIGTERM, blocked in this thread and so in every thread it starts
// from now on. Call it before any thread exists: a signal is delivered to any
// thread that does not block it, and there its default action ends the
// process at once, in-flight requests and all (the cache's threads, started
// by App::Open with redis://, once did exactly that).
void BlockStopSignals(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, set, nullptr);
}

// Waits for one of `set` (blocked by BlockStopSignals) and calls `on_signal`.
std::thread SignalWaiter(std::function<void()> on_signal, const sigset_t* set) {
  return std::thread([set, on_signal = std::move(on_signal)] {
    int sig = 0;
    sigwait(set, &sig);
    if (sig != 0) on_signal();
  });
}

int Serve(const Config& config, const std::string& host, int port) {
  sigset_t set;
  BlockStopSignals(&set);  // before App::Open starts any thread
  auto app = service::App::Open(config, /*require_schema=*/true);
  if (!app) return Fail(app.error());
  // A Redis that refuses our password or certificate is misconfigured: refuse to
  // start. One that cannot be reached is not: serve degraded, from the database.
  if (auto access = (*app)->cache().CheckAccess(); !access) return Fail(access.error());
  if (auto* owed = (*app)->owed()) {
    // A server killed between a commit and its announcement left answers that
    // nothing else would retire: announce what it owed before serving.
    auto n = owed->ReplayAll();
    if (!n) spdlog::warn("cache: could not replay owed invalidations: {}", n.error().message);
  }
  http::Router router;
  http::AddApiRoutes(router, **app);
  web::AddPageRoutes(router, **app);
  web::AddWarmers(**app);
  http::ServerOptions options;
  options.host = host;
  options.port = static_cast<uint16_t>(port);
  options.threads = config.threads;
  options.body_limit = static_cast<size_t>(config.body_limit);
  options.read_timeout = config.read_timeout;
  options.header_timeout = config.header_timeout;
  options.max_connections = config.max_connections;
  options.trusted_proxies = *CidrSet::Parse(config.trusted_proxies);  // checked by Config
  options.statement_counter = service::StatementsOnThisThread;
  http::Server server(options, router);
  auto bound = server.Listen();
  if (!bound) return Fail(bound.error());

  std::thread waiter = SignalWaiter(
      [&server] {
        spdlog::info("signal received: finishing in-flight requests");
        server.Stop();
      },
      &set);
  std::cout << fmt::format("rota: serving http://{}:{}/ ({} threads, database {}{})", host, *bound, config.threads,
                           RedactUrl(config.database_url),
                           config.today ? ", today pinned to " + config.today->ToString() : "")
            << std::endl;
  std::thread warmer;
  if (config.cache_warm_on_start)
    warmer = std::thread([&app] {
      auto report = (*app)->cache_admin().Warm(std::nullopt);
      if (report)
        spdlog::info("warm_on_start: warmed {} keys for {} homes", report->warmed_keys, report->homes.size());
      else
        spdlog::warn("warm_on_start failed: {}", report.error().message);
    });
  server.Run();
  (*app)->login_pool().Shutdown();    // its queued logins reply to the server's sessions
  (*app)->cached().WaitForLookups();  // so do the cache lookups still in Redis's hands
  if (warmer.joinable()) warmer.join();
  // Wake the waiter if it is still waiting (Run returned for another reason).
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  spdlog::info("stopped");
  return 0;
}

// With memory:// the cache lives inside `rota serve`: a command-line process has
// its own, empty one. Say so rather than pretend.
void NoteProcessLocalCache(const Config& config) {
  if (config.cache_url.rfind("memory://", 0) == 0)
    std::cerr << "note: the memory:// cache lives inside each `rota serve` process; this command sees only its own.\n"
                 "      Use POST /cache/warm/ or /cache/clear/ on the server, or a shared redis:// cache.\n";
}

int WarmCache(const Config& config, std::optional<int64_t> home, bool clear) {
  NoteProcessLocalCache(config);
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  web::AddWarmers(**app);  // the pages' fragments too, as POST /cache/warm/ does
  auto& admin = (*app)->cache_admin();
  if (clear) {
    auto deleted = admin.Clear(std::nullopt);
    if (!deleted) return Fail(deleted.error());
    std::cout << fmt::format("Cleared {} cached entries\n", *deleted);
  }
  auto report = admin.Warm(home, [](const service::WarmedHome& h) {
    std::cout << fmt::format("Successfully warmed cache for home: {} (id {})", h.name, h.id) << std::endl;
  });
  if (!report) return Fail(report.error());
  std::cout << fmt::format("Warmed {} keys for {} home(s)\n", report->warmed_keys, report->homes.size());
  std::cout << "Cache statistics: " << admin.StatsJson() << "\n";
  return 0;
}

int CacheStatsCommand(const Config& config) {
  NoteProcessLocalCache(config);
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  std::cout << (*app)->cache_admin().StatsJson() << "\n";
  return 0;
}

int CacheClearCommand(const Config& config, const std::optional<std::string>& pattern) {
  NoteProcessLocalCache(config);
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  auto deleted = (*app)->cache_admin().Clear(pattern);
  if (!deleted) return Fail(deleted.error());
  std::cout << fmt::format("deleted {} cached entries\n", *deleted);
  return 0;
}

int Migrate(const Config& config) {
  auto applied = service::MigrateDatabase(config);
  if (!applied) return Fail(applied.error());
  if (applied->empty()) std::cout << fmt::format("schema is up to date (version {})\n", service::LatestSchemaVersion());
  for (int v : *applied) std::cout << fmt::format("applied migration {}\n", v);
  return 0;
}

int Seed(const Config& config, service::SeedOptions options) {
  auto started = std::chrono::steady_clock::now();
  bool tty = isatty(STDERR_FILENO);
  auto summary = service::SeedDatabase(config, options, [&](int64_t done, int64_t total) {
    if (tty)
      std::cerr << fmt::format("\rseeding shifts {}/{} ({}%)", done, total, total ? done * 100 / total : 100)
                << std::flush;
    else if (done == total)
      std::cerr << fmt::format("seeding shifts {}/{}\n", done, total);
  });
  if (tty) std::cerr << "\n";
  if (!summary) return Fail(summary.error());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& s = *summary;
  std::cout << fmt::format(
      "seeded {} in {:.1f}s (seed {}, shifts {} .. {})\n"
      "  homes {}, units {}, users {}, staff {}, certifications {}, leave requests {}\n"
      "  shifts {} ({} staffed), notes {}, links {}\n"
      "  logins: admin (administrator), manager1..manager{} (one per home); password '{}'\n",
      RedactUrl(config.database_url), secs, options.seed, options.start.ToString(),
      options.start.AddDays(options.days - 1).ToString(), s.homes, s.units, s.users, s.staff, s.certifications,
      s.leave_requests, s.shifts, s.staffed_shifts, s.notes, s.links, options.homes, options.password);
  return 0;
}

int CreateUser(const Config& config, const std::string& username, bool admin, std::optional<int64_t> home,
               bool password_stdin) {
  std::string password;
  bool generated = false;
  if (password_stdin) {
    if (!std::getline(std::cin, password)) return Fail("no password on standard input");
  } else {
    password = service::NewSecret().substr(0, 20);
    generated = true;
  }
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  auto id = (*app)->auth().CreateUser(username, password, admin, home);
  if (!id) return Fail(id.error());
  std::cout << fmt::format("created user {} (id {}, {})\n", username, *id,
                           admin ? "administrator" : fmt::format("manager of home {}", *home));
  if (generated) std::cout << fmt::format("password: {}\n", password);
  return 0;
}

// The token alone on stdout (scripts capture it); what it is on stderr.
int CreateToken(const Config& config, const std::string& username, std::optional<int> expires_days) {
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  auto token = (*app)->auth().CreateToken(username, expires_days);
  if (!token) return Fail(token.error());
  std::cout << *token << "\n";
  std::cerr << fmt::format("created an API token for {} ({}); only its hash is stored\n", username,
                           expires_days ? fmt::format("expires in {} days", *expires_days) : "never expires");
  return 0;
}

// check --deploy, the cache's part: a Redis that others on the network can read or
// write (no AUTH, no TLS), and a maxmemory-policy that may evict generation counters
// (they have no TTL; a lost counter restarts higher, but evicting one before the
// values under it costs a cold cache, and allkeys-* evicts without regard to either).
void CheckCacheDeployment(const Config& config, cache::Cache* cache,
                          const std::function<void(const std::string&)>& problem) {
  auto url = ParseCacheUrl(config.cache_url);
  if (!url || !url->IsRedis()) return;
  for (const HostPort& node : url->nodes) {
    if (IsLoopbackHost(node.host)) continue;
    if (!url->password)
      problem(
          fmt::format("cache: Redis at {} is not on this machine and rota sends it no password: give an ACL user "
                      "and password in ROTA_CACHE_URL (redis://user:password@host)",
                      node.host));
    if (!url->tls)
      problem(
          fmt::format("cache: Redis at {} is not on this machine and the connection is not encrypted: use "
                      "rediss:// (TLS)",
                      node.host));
    break;
  }
  if (!cache) return;
  auto policy = cache->MaxmemoryPolicy();
  if (!policy) {
    std::cout << "note: cache: could not read Redis' maxmemory-policy (INFO memory)\n";
  } else if (policy->starts_with("allkeys-")) {
    problem(
        fmt::format("cache: Redis maxmemory-policy is {}: it may evict generation counters (which have no TTL) "
                    "before the values cached under them; use volatile-lru (or volatile-lfu)",
                    *policy));
  } else {
    std::cout << fmt::format("cache: maxmemory-policy {}: ok\n", *policy);
  }
}

// api.md: a header line, then id, username, created, last used (or -), expires
// (or never), tab-separated; never the secret.
int ListTokens(const Config& config, const std::optional<std::string>& username) {
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  auto tokens = (*app)->auth().ListTokens(username ? std::optional<std::string_view>(*username) : std::nullopt);
  if (!tokens) return Fail(tokens.error());
  std::cout << "id\tusername\tcreated\tlast_used\texpires\n";
  for (const auto& t : *tokens)
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", t.id, t.username, t.created, t.last_used.value_or("-"),
                             t.expires.value_or("never"));
  return 0;
}

int RevokeToken(const Config& config, int64_t id) {
  auto app = service::App::Open(config, true);
  if (!app) return Fail(app.error());
  if (auto s = (*app)->auth().RevokeToken(id); !s) return Fail(s.error());
  std::cout << fmt::format("revoked token {}; every server refuses it within 1 s\n", id);
  return 0;
}

// The pool against PostgreSQL's max_connections: every server holds up to
// pool_size connections, and superusers keep some for themselves.
void CheckConnectionBudget(service::App& app, const std::function<void(const std::string&)>& problem) {
  auto budget = app.DatabaseBudget();
  if (!budget) {
    problem("database: could not read max_connections: " + budget.error().message);
    return;
  }
  if (!*budget) return;  // SQLite
  const service::ConnectionBudget& b = **budget;
  int64_t usable = b.max_connections - b.reserved;
  std::cout << fmt::format(
      "database: pool_size {} per server; PostgreSQL allows {} connections ({} max_connections, {} reserved for "
      "superusers), {} in use now: at most {} servers of this pool size, with nothing else connected\n",
      b.pool_size, usable, b.max_connections, b.reserved, b.in_use, b.pool_size > 0 ? usable / b.pool_size : 0);
  if (b.pool_size > usable)
    problem(
        fmt::format("[database] pool_size {} is more than PostgreSQL's {} usable connections (max_connections {} "
                    "- superuser_reserved_connections {}): lower pool_size or raise max_connections",
                    b.pool_size, usable, b.max_connections, b.reserved));
  else if (b.pool_size * 2 > usable)
    problem(
        fmt::format("[database] pool_size {} leaves no room for a second server within PostgreSQL's {} usable "
                    "connections (max_connections {}): lower pool_size, raise max_connections, or put PgBouncer "
                    "in front ([database] prepared_statements = false)",
                    b.pool_size, usable, b.max_connections));
}

// Each problem is printed on its own line; the exit status counts them.
int Check(const Config& config, bool deploy) {
  int problems = 0;
  auto problem = [&](const std::string& m) {
    std::cout << "problem: " << m << "\n";
    ++problems;
  };
  std::cout << fmt::format("config: ok (database {}, cache {}, {} threads, pool {})\n", RedactUrl(config.database_url),
                           RedactUrl(config.cache_url), config.threads, config.EffectivePoolSize());
  auto app = service::App::Open(config, true);
  if (!app) {
    problem(app.error().message);
  } else if (auto s = (*app)->CheckDatabase(); !s) {
    problem("database: " + s.error().message);
  } else {
    std::cout << "database: ok\n";
  }
  if (app) {
    if (auto access = (*app)->cache().CheckAccess(); !access)
      problem("cache: " + access.error().message);
    else if (!(*app)->CacheHealthy())
      problem("cache: " + RedactUrl(config.cache_url) + " is not reachable");
  }
  if (deploy) {
    if (config.database_url.rfind("sqlite://", 0) == 0)
      std::cout << "note: SQLite serves one machine; run several servers on PostgreSQL\n";
    if (!config.secure_cookies)
      problem(
          "[auth] secure_cookies is false: behind TLS (https) the session cookie must be marked Secure, or a "
          "browser sends it over plain http too; set it");
    CheckCacheDeployment(config, app ? &(*app)->cache() : nullptr, problem);
    if (config.today) problem("ROTA_TODAY pins today's date: unset it in production");
    for (const auto& p : service::DatabaseUrlProblems(config.database_url)) problem(p);
    if (app) CheckConnectionBudget(**app, problem);
  }
  std::cout << (problems ? fmt::format("{} problem(s)\n", problems) : std::string("all checks passed\n"));
  return problems ? 1 : 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App cli{"rota: staff rotas for care homes"};
  cli.require_subcommand(1);
  std::string config_path;
  cli.add_option("--config", config_path, "TOML configuration file (default ./rota.toml if present)");

  auto* serve = cli.add_subcommand("serve", "serve the HTTP API until SIGINT/SIGTERM");
  std::string host;
  int port = -1;
  serve->add_option("--host", host, "address to bind (default [server] host)");
  serve->add_option("--port", port, "port (default [server] port)")->check(CLI::Range(0, 65535));

  cli.add_subcommand("migrate", "create or upgrade the schema");

  auto* seed = cli.add_subcommand("seed", "fill an empty database with deterministic demo data");
  service::SeedOptions seed_options;
  std::string start;
  seed->add_option("--homes", seed_options.homes, "homes")->check(CLI::Range(1, 1000));
  seed->add_option("--staff-per-home", seed_options.staff_per_home, "staff per home")->check(CLI::Range(1, 1000));
  seed->add_option("--days", seed_options.days, "days of shifts")->check(CLI::Range(1, 3660));
  seed->add_option("--start", start, "first day with shifts, YYYY-MM-DD (default: 30 days before today)");
  seed->add_option("--seed", seed_options.seed, "random seed");

  auto* create_user = cli.add_subcommand("create-user", "create an administrator or a home manager");
  std::string username;
  bool admin = false, password_stdin = false;
  int64_t home = 0;
  create_user->add_option("USERNAME", username)->required();
  auto* admin_flag = create_user->add_flag("--admin", admin, "an administrator (every home)");
  auto* home_opt = create_user->add_option("--home", home, "the home a manager sees")->check(CLI::PositiveNumber);
  admin_flag->excludes(home_opt);
  create_user->add_flag("--password-stdin", password_stdin, "read the password from standard input");

  auto* create_token = cli.add_subcommand("create-token", "print a new API token for a user");
  create_token->add_option("USERNAME", username)->required();
  int expires_days = 0;
  auto* expires_opt = create_token->add_option("--expires-days", expires_days, "refuse the token after N days")
                          ->check(CLI::Range(1, 36500));

  auto* list_tokens = cli.add_subcommand("list-tokens", "list API tokens (never their secrets)");
  std::string list_user;
  auto* list_user_opt = list_tokens->add_option("USERNAME", list_user, "only this user's tokens");

  auto* revoke_token = cli.add_subcommand("revoke-token", "delete an API token; refused everywhere within 1 s");
  int64_t token_id = 0;
  revoke_token->add_option("ID", token_id, "the id list-tokens shows")->required()->check(CLI::PositiveNumber);

  auto* warm = cli.add_subcommand("warm-cache", "precompute dashboards, stats and reports into the cache");
  int64_t warm_home = 0;
  bool warm_clear = false;
  auto* warm_home_opt = warm->add_option("--home", warm_home, "only this home")->check(CLI::PositiveNumber);
  warm->add_flag("--clear", warm_clear, "clear the cache first");

  auto* cache_cmd = cli.add_subcommand("cache", "cache statistics and clearing");
  cache_cmd->require_subcommand(1);
  auto* cache_stats = cache_cmd->add_subcommand("stats", "print the cache statistics (JSON)");
  auto* cache_clear = cache_cmd->add_subcommand("clear", "delete cached entries");
  std::string clear_pattern;
  auto* pattern_opt = cache_clear->add_option("--pattern", clear_pattern, "key glob of [A-Za-z0-9:_.*-]");

  auto* check = cli.add_subcommand("check", "validate configuration and connectivity");
  bool deploy = false;
  check->add_flag("--deploy", deploy, "also check production settings");

  auto* config_cmd = cli.add_subcommand("config", "print the configuration schema");
  bool markdown = false;
  config_cmd->add_flag("--markdown", markdown, "as the README's Markdown table (every key, default, range, variable)")
      ->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  // The schema, not this machine's settings: it prints even where they are invalid.
  if (config_cmd->parsed()) {
    std::cout << ConfigMarkdownTable();
    return 0;
  }

  Config config;
  try {
    config = Config::Load(config_path, Config::ProcessEnvironment());
  } catch (const ConfigError& e) {
    return Fail(e.what());
  }
  if (!service::InitCrypto()) return Fail("libsodium failed to initialise");
  SetUpLogging(config);

  if (serve->parsed()) return Serve(config, host.empty() ? config.host : host, port >= 0 ? port : config.port);
  if (cli.got_subcommand("migrate")) return Migrate(config);
  if (seed->parsed()) {
    if (start.empty()) {
      seed_options.start = config.Today().AddDays(-30);
    } else if (auto d = Date::Parse(start)) {
      seed_options.start = *d;
    } else {
      return Fail("--start must be a date YYYY-MM-DD");
    }
    return Seed(config, seed_options);
  }
  if (create_user->parsed()) {
    if (!admin && !home_opt->count()) return Fail("create-user needs --admin or --home ID");
    return CreateUser(config, username, admin, admin ? std::nullopt : std::optional<int64_t>(home), password_stdin);
  }
  if (create_token->parsed())
    return CreateToken(config, username, expires_opt->count() ? std::optional<int>(expires_days) : std::nullopt);
  if (list_tokens->parsed())
    return ListTokens(config, list_user_opt->count() ? std::optional<std::string>(list_user) : std::nullopt);
  if (revoke_token->parsed()) return RevokeToken(config, token_id);
  if (check->parsed()) return Check(config, deploy);
  if (warm->parsed())
    return WarmCache(config, warm_home_opt->count() ? std::optional<int64_t>(warm_home) : std::nullopt, warm_clear);
  if (cache_stats->parsed()) return CacheStatsCommand(config);
  if (cache_clear->parsed())
    return CacheClearCommand(config, pattern_opt->count() ? std::optional<std::string>(clear_pattern) : std::nullopt);
  return 2;
}

}  // namespace rota::cli
