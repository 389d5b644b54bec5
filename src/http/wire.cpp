#include "http/wire.hpp"

#include <cctype>
#include <string>

namespace rota::http {
namespace {

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

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
