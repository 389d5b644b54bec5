#include "http/wire.hpp"

#include <cctype>
#include <string>

#include <boost/beast/core/string.hpp>

namespace rota::http {
namespace {

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<Error> CheckFraming(const boost::beast::http::request<boost::beast::http::string_body>& h) {
  namespace bhttp = boost::beast::http;
  auto [first, last] = h.equal_range(bhttp::field::transfer_encoding);
  if (first == last) return std::nullopt;
  if (h.version() < 11) return Error::BadRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  if (h.count(bhttp::field::content_length) != 0)
    return Error::BadRequest("a request may not carry both Transfer-Encoding and Content-Length");
  int codings = 0;
  bool chunked = false;
  for (auto it = first; it != last; ++it) {
    std::string_view value = View(it->value());
    for (;;) {
      size_t comma = value.find(',');
      std::string_view coding = value.substr(0, comma);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
      ++codings;
      chunked = boost::beast::iequals({coding.data(), coding.size()}, "chunked");
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (codings != 1 || !chunked) return Error::BadRequest("unsupported Transfer-Encoding: only `chunked` is accepted");
  return std::nullopt;
}

void FillRequest(boost::beast::http::request<boost::beast::http::string_body>& msg, std::string_view remote,
                 Request& req) {
  req.method.assign(View(msg.method_string()));
  for (const auto& field : msg) {
    std::string name = ToLower(View(field.name_string()));
    std::string_view value = View(field.value());
    auto [it, inserted] = req.headers.try_emplace(std::move(name), value);  // moves `name` only if inserted
    if (!inserted) it->second.append(it->first == "cookie" ? "; " : ", ").append(value);
  }
  req.body = std::move(msg.body());
  req.remote_address.assign(remote);
}

}  // namespace rota::http
