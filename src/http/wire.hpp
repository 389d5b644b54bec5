// From the message Beast parsed to the Request handlers see (http/message.hpp).
// One function for the server's sessions (http/server.cpp) and the
// http_request fuzz target, so the fuzzer drives exactly what a session does.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "http/message.hpp"

namespace rota::http {

// Sets req.method, req.headers (names lower-cased; the values of a repeated
// header joined with ", ", Cookie's with "; "), req.body (moved out of `msg`)
// and req.remote_address. The path and query are ParseTarget's (message.hpp).
void FillRequest(boost::beast::http::request<boost::beast::http::string_body>& msg, std::string_view remote,
                 Request& req);

}  // namespace rota::http
