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

void AddApiRoutes(Router& router, service::App& app);

// Who is asking: a bearer token (csrf_token empty), else the session cookie,
// else 401. A cookie-authenticated POST/PUT/PATCH/DELETE must carry the
// session's X-CSRF-Token, else 403. Used by the API and by the pages (web/).
Result<service::SessionPrincipal> Authenticate(service::App& app, const Request& req);

}  // namespace rota::http
