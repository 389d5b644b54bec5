// The routes of api.md over the service's use cases.
//
// Handlers are thin: authenticate, check access, parse query parameters,
// call one use case, shape the response. Everything they answer goes through
// Response::FromError for errors, so the JSON error shape is the same
// everywhere. No handler touches a socket (http/server.cpp does).
#pragma once

#include "http/router.hpp"
#include "service/app.hpp"

namespace rota::http {

inline constexpr const char* kSessionCookie = "rota_session";
// Its name with `[auth] secure_cookies`: the `__Host-` prefix binds it to this
// host, Secure, Path=/ (RFC 6265bis).
inline constexpr const char* kSecureSessionCookie = "__Host-rota_session";
std::string_view SessionCookieName(const service::App& app);

void AddApiRoutes(Router& router, service::App& app);

// Who is asking: a bearer token (csrf_token empty), else the session cookie,
// else 401. A token is never accepted as a session nor a session as a token.
// A cookie-authenticated POST/PUT/PATCH/DELETE must carry the session's
// X-CSRF-Token (never empty), else 403. Used by the API and by the pages (web/).
Result<service::SessionPrincipal> Authenticate(service::App& app, const Request& req);

}  // namespace rota::http
