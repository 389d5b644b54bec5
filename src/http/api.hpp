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

}  // namespace rota::http
