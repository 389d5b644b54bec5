// Writing HTML safely: every text that comes from data goes through Escape();
// every page goes through Layout(), which adds the header, the stylesheet and
// the scripts, and HtmlPage(), which adds the headers every page carries
// (a strict Content-Security-Policy: scripts and styles only from /static, so
// an escaping slip cannot run a script; no framing; never stored by shared caches).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "service/auth.hpp"
#include "service/cached_reads.hpp"

namespace rota::web {

// & < > " ' escaped: safe in text and in double- or single-quoted attributes.
std::string Escape(std::string_view text);
// JSON text made safe inside <script type="application/json">: '<' as \u003c.
std::string JsonForScript(std::string_view json);

// The pages of one home, in the order of the home's navigation bar.
enum class HomeSection { kNone, kDashboard, kRota, kStaff, kReport, kCompliance };

struct PageFrame {
  std::string title;
  // Who is looking; null: no navigation (the login page). Their CSRF token goes
  // in <meta name="csrf-token"> for the page's writes.
  const service::SessionPrincipal* caller = nullptr;
  std::vector<std::string> scripts;  // asset names, loaded with `defer` in this order
  // A page of one home: Layout adds that home's navigation (dashboard, rota,
  // staff, monthly report, compliance), marking `section` as the current page.
  int64_t home = 0;
  HomeSection section = HomeSection::kNone;
};

// A whole document around `main_html`.
std::string Layout(const PageFrame& frame, std::string_view main_html);

// Makes `r` text/html with the headers every HTML response carries, page or
// fragment: the Content-Security-Policy, nosniff and Referrer-Policy.
// (`Cache-Control: private, no-cache`, api.md, is the server's default for
// every response: http/server.hpp.)
void SetHtmlHeaders(http::Response& r);
// A text/html response with the page headers.
http::Response HtmlPage(int status, std::string body);
// Responses made of a cached HTML fragment (service::CachedReads::Fragment),
// which is stored gzip-compressed when it is large (service/cached_reads.hpp).
// To a request that accepts gzip (http/encoding.hpp) the stored bytes are
// sent with `Content-Encoding: gzip`: a fragment as it is, a page with its
// layout put around them in uncompressed deflate blocks (service::GzipAround),
// so no request compresses anything. Other requests get identity (the
// fragment inflated if need be). Both carry `Vary: Accept-Encoding` and
// `X-Cache` (the fragment's outcome); a fragment that cannot be inflated is a 500.
// The page: Layout(frame, before + fragment + after), status 200.
http::Response FragmentPage(const http::Request& req, const PageFrame& frame, std::string_view before,
                            service::CachedAnswer fragment, std::string_view after);
// The fragment alone, for the pages' scripts (errors as api.md JSON).
http::Response FragmentOnly(const http::Request& req, Result<service::CachedAnswer> fragment);
// 302 to `location` (a path on this site).
http::Response Redirect(const std::string& location);
// A small page for 403/404/503 with a way back.
http::Response ErrorPage(int status, std::string_view title, std::string_view message,
                         const service::SessionPrincipal* caller);
// The same for a failed service call: its status, and only what a client may
// be told of it (http::PublicError: a 500 or 503 never shows the driver's message).
http::Response ErrorPage(std::string_view title, const Error& e, const service::SessionPrincipal* caller);

}  // namespace rota::web
