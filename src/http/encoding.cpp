#include "http/encoding.hpp"

#include <cctype>

namespace rota::http {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
// in thousandths; nullopt when it is not one.
std::optional<int> ParseQvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  int whole = v[0] - '0';
  if (v.size() == 1) return whole * 1000;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  int frac = 0, scale = 100;
  for (char c : v.substr(2)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    frac += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && frac != 0) return std::nullopt;
  return whole * 1000 + frac;
}

// One list element, `coding [ OWS ";" OWS "q=" qvalue ]`: its coding and weight,
// or nullopt when it is malformed.
struct Element {
  std::string_view coding;
  int weight = 1000;
};
std::optional<Element> ParseElement(std::string_view e) {
  Element out;
  size_t semi = e.find(';');
  out.coding = TrimOws(e.substr(0, semi));
  if (out.coding.empty()) return std::nullopt;
  for (char c : out.coding)
    if (IsOws(c) || c == '=' || c == '"') return std::nullopt;
  if (semi == std::string_view::npos) return out;
  std::string_view param = TrimOws(e.substr(semi + 1));
  if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') return std::nullopt;
  auto q = ParseQvalue(param.substr(2));
  if (!q) return std::nullopt;
  out.weight = *q;
  return out;
}

}  // namespace

CodingWeights ParseAcceptEncoding(std::string_view header) {
  std::optional<int> gzip, identity, star;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view element = TrimOws(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (element.empty()) continue;
    auto e = ParseElement(element);
    if (!e) continue;
    std::optional<int>* slot = IEquals(e->coding, "gzip") || IEquals(e->coding, "x-gzip") ? &gzip
                               : IEquals(e->coding, "identity")                           ? &identity
                               : e->coding == "*"                                         ? &star
                                                                                          : nullptr;
    if (slot && !*slot) *slot = e->weight;
  }
  CodingWeights w;
  w.gzip = gzip ? *gzip : star ? *star : 0;
  w.identity = identity ? *identity : star ? *star : 1000;
  w.identity_weighed = identity || star;
  return w;
}

bool GzipWanted(std::optional<std::string_view> accept_encoding) {
  if (!accept_encoding) return false;
  CodingWeights w = ParseAcceptEncoding(*accept_encoding);
  return w.gzip > 0 && (!w.identity_weighed || w.gzip >= w.identity);
}

std::string GzipEtag(std::string_view identity_etag) {
  if (identity_etag.size() < 2 || identity_etag.back() != '"') return std::string(identity_etag) + "-gz";
  std::string out(identity_etag.substr(0, identity_etag.size() - 1));
  out.append("-gz\"");
  return out;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  if (TrimOws(header) == "*") return true;
  std::string_view want = etag.starts_with("W/") ? etag.substr(2) : etag;
  while (!header.empty()) {
    // Entity tags are quoted and may not contain '"', so a comma outside quotes ends one.
    std::string_view rest = TrimOws(header);
    if (rest.starts_with(",")) {
      header = rest.substr(1);
      continue;
    }
    if (rest.starts_with("W/")) rest.remove_prefix(2);
    if (!rest.starts_with("\"")) return false;  // not a list of entity tags
    size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (rest.substr(0, close + 1) == want) return true;
    header = rest.substr(close + 1);
  }
  return false;
}

}  // namespace rota::http
