#include "web/html.hpp"

#include <fmt/format.h>

#include "http/encoding.hpp"
#include "service/gzip.hpp"
#include "web/assets.hpp"

namespace rota::web {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonForScript(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

namespace {

// The navigation bar of a home's pages; the current one is marked for screen
// readers (aria-current) and styled by it.
std::string HomeNav(int64_t home, HomeSection current) {
  struct Link {
    HomeSection section;
    const char* path;
    const char* label;
  };
  static constexpr Link kLinks[] = {{HomeSection::kDashboard, "", "Dashboard"},
                                    {HomeSection::kRota, "rota/", "Rota"},
                                    {HomeSection::kStaff, "staff/", "Staff"},
                                    {HomeSection::kReport, "reports/monthly/", "Monthly report"},
                                    {HomeSection::kCompliance, "compliance/", "Compliance"}};
  std::string links;
  for (const Link& l : kLinks)
    links += fmt::format("<a href=\"/homes/{}/{}\"{}>{}</a>", home, l.path,
                         l.section == current ? " aria-current=\"page\"" : "", l.label);
  return fmt::format("<nav class=\"home-nav\" aria-label=\"this home\">{}</nav>", links);
}

}  // namespace

std::string Layout(const PageFrame& frame, std::string_view main_html) {
  std::string head_scripts;
  for (const auto& s : frame.scripts) head_scripts += fmt::format("<script defer src=\"{}\"></script>", AssetUrl(s));
  std::string nav;
  if (frame.caller) {
    const auto& u = frame.caller->principal;
    std::string links = u.is_admin ? "<a href=\"/homes/\">Homes</a><a href=\"/cache/stats/\">Cache</a>"
                                   : fmt::format("<a href=\"/homes/{}/\">My home</a>", u.home_id.value_or(0));
    nav = fmt::format(
        "<nav aria-label=\"main\">{}</nav><span class=\"who\" data-testid=\"who\">{}{}</span>"
        "<button type=\"button\" id=\"logout\" class=\"link\">Log out</button>",
        links, Escape(u.username), u.is_admin ? " (administrator)" : "");
  }
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{} · rota</title><link rel=\"icon\" href=\"data:,\"><meta name=\"csrf-token\" content=\"{}\">"
      "<link rel=\"stylesheet\" href=\"{}\">{}</head>"
      "<body><header class=\"top\"><a class=\"brand\" href=\"/\">rota</a>{}</header>{}"
      "<main>{}</main></body></html>\n",
      Escape(frame.title), Escape(frame.caller ? frame.caller->csrf_token : ""), AssetUrl("rota.css"), head_scripts,
      nav, frame.caller && frame.home ? HomeNav(frame.home, frame.section) : "", main_html);
}

void SetHtmlHeaders(http::Response& r) {
  r.content_type = "text/html; charset=utf-8";
  r.SetHeader("Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("Referrer-Policy", "same-origin");
}

http::Response HtmlPage(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  SetHtmlHeaders(r);
  return r;
}

namespace {

// The marker Layout puts where the main content goes, to cut the layout in two
// around it: after every byte that comes from data but the fragment.
constexpr std::string_view kMainMarker = "\x01rota-main\x01";

http::Response WithFragmentHeaders(http::Response r, const service::CachedAnswer& fragment) {
  r.SetHeader("Vary", "Accept-Encoding");
  r.SetHeader("X-Cache", service::OutcomeName(fragment.outcome));
  return r;
}

}  // namespace

http::Response FragmentPage(const http::Request& req, const PageFrame& frame, std::string_view before,
                            service::CachedAnswer fragment, std::string_view after) {
  if (fragment.encoding == service::BodyEncoding::kGzip && http::GzipWanted(req.Header("accept-encoding"))) {
    std::string layout = Layout(frame, kMainMarker);
    const size_t at = layout.rfind(kMainMarker);
    std::string prefix = layout.substr(0, at);
    prefix.append(before);
    std::string suffix(after);
    suffix.append(std::string_view(layout).substr(at + kMainMarker.size()));
    if (auto page = service::GzipAround(prefix, fragment.body, suffix)) {
      http::Response r = HtmlPage(200, std::move(*page));
      r.SetHeader("Content-Encoding", "gzip");
      return WithFragmentHeaders(std::move(r), fragment);
    }
  }
  auto body = service::IdentityBody(fragment);
  if (!body) return ErrorPage("Error", body.error(), frame.caller);
  std::string main_html;
  main_html.reserve(before.size() + body->size() + after.size());
  main_html.append(before).append(*body).append(after);
  return WithFragmentHeaders(HtmlPage(200, Layout(frame, main_html)), fragment);
}

http::Response FragmentOnly(const http::Request& req, Result<service::CachedAnswer> fragment) {
  if (!fragment) return http::Response::FromError(fragment.error());
  http::Response r;
  SetHtmlHeaders(r);
  if (fragment->encoding == service::BodyEncoding::kGzip && http::GzipWanted(req.Header("accept-encoding"))) {
    r.body = std::move(fragment->body);
    r.SetHeader("Content-Encoding", "gzip");
  } else if (fragment->encoding == service::BodyEncoding::kGzip) {
    auto body = service::IdentityBody(*fragment);
    if (!body) return http::Response::FromError(body.error());
    r.body = std::move(*body);
  } else {
    r.body = std::move(fragment->body);
  }
  return WithFragmentHeaders(std::move(r), *fragment);
}

http::Response Redirect(const std::string& location) {
  http::Response r;
  r.status = 302;
  SetHtmlHeaders(r);
  r.SetHeader("Location", location);
  r.body = fmt::format("<!doctype html><a href=\"{0}\">{0}</a>\n", Escape(location));
  return r;
}

http::Response ErrorPage(int status, std::string_view title, std::string_view message,
                         const service::SessionPrincipal* caller) {
  PageFrame frame{std::string(title), caller, {"rota.js"}};
  return HtmlPage(status, Layout(frame, fmt::format("<section class=\"card error-page\"><h1>{}</h1><p>{}</p>"
                                                    "<p><a href=\"/\">Back to the start page</a></p></section>",
                                                    Escape(title), Escape(message))));
}

http::Response ErrorPage(std::string_view title, const Error& e, const service::SessionPrincipal* caller) {
  return ErrorPage(HttpStatus(e.code), title, http::PublicError(e).message, caller);
}

}  // namespace rota::web
