#include "base/url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rota {
namespace {

constexpr std::string_view kMask = "***";

bool EndsWithPassword(std::string_view key) {
  constexpr std::string_view kWord = "password";
  if (key.size() < kWord.size()) return false;
  auto tail = key.substr(key.size() - kWord.size());
  return std::equal(tail.begin(), tail.end(), kWord.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// `a=1&password=x&b=2` -> `a=1&password=***&b=2`.
std::string RedactQuery(std::string_view query) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view param = query.substr(start, amp - start);
    size_t eq = param.find('=');
    if (eq != std::string_view::npos && EndsWithPassword(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1));
      out.append(kMask);
    } else {
      out.append(param);
    }
    if (amp < query.size()) out.push_back('&');
    start = amp + 1;
  }
  return out;
}

// libpq's `key=value key='quoted value'` form.
std::string RedactKeyValues(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      out.push_back(s[i++]);
      continue;
    }
    size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view key = s.substr(key_start, i - key_start);
    out.append(key);
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) out.push_back(s[i++]);
    if (i >= s.size() || s[i] != '=') continue;
    out.push_back(s[i++]);
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) out.push_back(s[i++]);
    size_t value_start = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    }
    if (EndsWithPassword(key))
      out.append(kMask);
    else
      out.append(s.substr(value_start, i - value_start));
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return RedactKeyValues(url);
  std::string out(url.substr(0, scheme_end + 3));
  std::string_view rest = url.substr(scheme_end + 3);

  // The user part ends at the last '@'. A password may hold unencoded '/', '?' or
  // '@' (people paste them so), which is why the last one counts: at worst a '@' in
  // a query parameter makes us hide more than the password.
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon + 1));
      out.append(kMask);
    } else {
      out.append(userinfo);
    }
    out.push_back('@');
    rest = rest.substr(at + 1);
  }
  size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  size_t hash = query.find('#');
  out.append(RedactQuery(query.substr(0, hash)));
  if (hash != std::string_view::npos) out.append(query.substr(hash));
  return out;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  if (!host.starts_with("127.")) return false;
  // 127.a.b.c with numeric parts only (not a name such as 127.example.com).
  int dots = 0;
  for (char c : host) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return dots == 3;
}

Result<CacheUrl> ParseCacheUrl(std::string_view url) {
  const std::string shown = RedactUrl(url);
  auto bad = [&](std::string_view why) -> Error {
    return Error::Invalid(fmt::format("ROTA_CACHE_URL / [cache] url '{}': {}", shown, why));
  };
  CacheUrl u;
  if (url == "memory://") return u;

  std::string_view rest;
  struct Scheme {
    std::string_view prefix;
    CacheUrl::Kind kind;
    bool tls;
  };
  constexpr Scheme kSchemes[] = {{"redis://", CacheUrl::Kind::kRedis, false},
                                 {"rediss://", CacheUrl::Kind::kRedis, true},
                                 {"redis+sentinel://", CacheUrl::Kind::kSentinel, false},
                                 {"rediss+sentinel://", CacheUrl::Kind::kSentinel, true}};
  bool matched = false;
  for (const auto& s : kSchemes) {
    if (url.starts_with(s.prefix)) {
      u.kind = s.kind;
      u.tls = s.tls;
      rest = url.substr(s.prefix.size());
      matched = true;
      break;
    }
  }
  if (!matched)
    return bad("not a supported URL (memory://, redis://, rediss://, redis+sentinel://, rediss+sentinel://)");
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad("query strings and fragments are not supported (percent-encode '?' and '#' in a password)");
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return bad("contains spaces or control characters");

  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      return bad("a user name needs a password: write user:password@host, or :password@host for the default user");
    auto user = PercentDecode(userinfo.substr(0, colon));
    auto pw = PercentDecode(userinfo.substr(colon + 1));
    if (!user || !pw) return bad("the user name or password has a '%' not followed by two hex digits");
    if (pw->empty()) return bad("the password is empty");
    u.user = std::move(*user);
    u.password = std::move(*pw);
    rest = rest.substr(at + 1);
  }

  size_t slash = rest.find('/');
  std::string_view hosts = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const int default_port = u.kind == CacheUrl::Kind::kSentinel ? 26379 : 6379;
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    if (comma == std::string_view::npos) comma = hosts.size();
    std::string_view hp = hosts.substr(start, comma - start);
    start = comma + 1;
    HostPort node;
    std::string_view port;
    if (!hp.empty() && hp.front() == '[') {
      size_t close = hp.find(']');
      if (close == std::string_view::npos) return bad("an IPv6 address lacks its ']'");
      node.host = std::string(hp.substr(1, close - 1));
      std::string_view after = hp.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') return bad("expected ':port' after an IPv6 address");
        port = after.substr(1);
        if (port.empty()) return bad("an empty port");
      }
    } else {
      size_t colon = hp.find(':');
      node.host = std::string(hp.substr(0, colon));
      if (colon != std::string_view::npos) {
        port = hp.substr(colon + 1);
        if (port.empty()) return bad("an empty port");
      }
    }
    if (node.host.empty()) return bad("a host is missing");
    if (node.host.find_first_of("[]@:/") != std::string::npos && hp.front() != '[')
      return bad(fmt::format("'{}' is not a host name", node.host));
    node.port = default_port;
    if (!port.empty()) {
      node.port = AllDigits(port) && port.size() <= 5 ? std::stoi(std::string(port)) : 0;
      if (node.port < 1 || node.port > 65535) return bad(fmt::format("port '{}' is not 1..65535", port));
    }
    u.nodes.push_back(std::move(node));
    if (comma == hosts.size()) break;
  }
  if (u.kind == CacheUrl::Kind::kRedis && u.nodes.size() != 1)
    return bad("redis:// takes one host; use redis+sentinel:// to name several sentinels");

  std::string_view db;
  if (u.kind == CacheUrl::Kind::kSentinel) {
    size_t s = path.find('/');
    std::string_view service = path.substr(0, s);
    if (service.empty()) return bad("the Sentinel service (master) name is missing: redis+sentinel://host:port/NAME");
    auto decoded = PercentDecode(service);
    if (!decoded) return bad("the service name has a '%' not followed by two hex digits");
    u.service = std::move(*decoded);
    if (s != std::string_view::npos) db = path.substr(s + 1);
  } else {
    db = path;
  }
  if (!db.empty()) {
    if (!AllDigits(db) || db.size() > 6) return bad(fmt::format("database '{}' is not a number", db));
    u.db = std::stoi(std::string(db));
  }
  return u;
}

}  // namespace rota
