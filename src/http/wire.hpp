// From the message Beast parsed to the Request handlers see (http/message.hpp).
// One function for the server's sessions (http/server.cpp) and the
// http_request fuzz target, so the fuzzer drives exactly what a session does.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace rota::http {

// Sets req.method, req.headers (names lower-cased; the values of a repeated
// header joined with ", ", Cookie's with "; "), req.body (moved out of `msg`)
// and req.remote_address. The path and query are ParseTarget's (message.hpp).
void FillRequest(boost::beast::http::request<boost::beast::http::string_body>& msg, std::string_view remote,
                 Request& req);

// RFC 9112 §6.1 and §6.3, for a request whose header has been read: the only
// transfer coding accepted is `chunked` alone, on HTTP/1.1, and never with
// Content-Length (a proxy in front may have framed the body by the other).
// nullopt: go on reading; else the 400 to answer before closing the
// connection, reading nothing more from it.
std::optional<Error> CheckFraming(const boost::beast::http::request<boost::beast::http::string_body>& header);

}  // namespace rota::http
