// Router, messages and target parsing, without sockets (server_test.cpp has the wire).
#include "http/router.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "http/message.hpp"

namespace rota::http {
namespace {

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

std::optional<std::string> HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return std::nullopt;
}

// A router whose handlers answer "<pattern> <ids...>".
Router EchoRouter(const std::vector<std::pair<std::string, std::string>>& routes) {
  Router router;
  for (const auto& [method, pattern] : routes) {
    router.Add(method, pattern, [pattern = pattern](Request& req) {
      std::string body = pattern;
      for (int64_t id : req.path_ids) body.append(" ").append(std::to_string(id));
      return Response::Json(200, body);
    });
  }
  return router;
}

TEST(Router, UnknownPathIs404WithTheErrorBody) {
  Router router = EchoRouter({{"GET", "/api/homes"}});
  Request req = Req("GET", "/x");
  Response r = router.Dispatch(req);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"no route for /x","field":null}})");
  EXPECT_EQ(router.RouteName(req), "unmatched");
}

TEST(Router, KnownPathWithOtherMethodIs405WithAllow) {
  Router router = EchoRouter({{"GET", "/api/shifts/{id}"}, {"PATCH", "/api/shifts/{id}"}, {"GET", "/api/homes"}});
  Request req = Req("POST", "/api/shifts/3");
  Response r = router.Dispatch(req);
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.body.find(R"("code":"method_not_allowed")"), std::string::npos);
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, HEAD, PATCH");
}

TEST(Router, HeadIsServedByTheGetRouteAndNoOther) {
  Router router = EchoRouter({{"POST", "/api/login"}, {"GET", "/api/homes/{id}"}});
  Request head = Req("HEAD", "/api/homes/7");
  Response r = router.Dispatch(head);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/api/homes/{id} 7");  // the server drops the body; the router answers as for GET
  EXPECT_EQ(router.RouteName(head), "/api/homes/{id}");

  Request on_post = Req("HEAD", "/api/login");
  Response refused = router.Dispatch(on_post);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(HeaderOf(refused, "Allow"), "POST");
}

TEST(Router, MatchingRouteGetsItsIdsInOrder) {
  Router router = EchoRouter({{"GET", "/api/homes/{id}/staff/{id}"}, {"GET", "/api/homes/{id}"}});
  Request req = Req("GET", "/api/homes/12/staff/9223372036854775807");
  Response r = router.Dispatch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/api/homes/{id}/staff/{id} 12 9223372036854775807");
  EXPECT_EQ(req.path_ids, (std::vector<int64_t>{12, 9223372036854775807}));
  EXPECT_EQ(router.RouteName(req), "/api/homes/{id}/staff/{id}");
}

TEST(Router, IdIsAPositiveInt64WithoutSign) {
  Router router = EchoRouter({{"GET", "/api/shifts/{id}"}});
  for (std::string bad :
       {"0", "00", "-1", "+1", "99999999999999999999", "9223372036854775808", "abc", "1a", "", "1.5", " 1"}) {
    Request req = Req("GET", "/api/shifts/" + bad);
    EXPECT_EQ(router.Dispatch(req).status, 404) << "'" << bad << "'";
  }
  Request req = Req("GET", "/api/shifts/007");
  EXPECT_EQ(router.Dispatch(req).body, "/api/shifts/{id} 7");
}

TEST(Router, TrailingSlashIsSignificant) {
  Router router = EchoRouter({{"POST", "/cache/clear/"}, {"GET", "/api/homes"}});
  Request with = Req("POST", "/cache/clear/");
  EXPECT_EQ(router.Dispatch(with).status, 200);
  Request without = Req("POST", "/cache/clear");
  EXPECT_EQ(router.Dispatch(without).status, 404);
  Request extra = Req("GET", "/api/homes/");
  EXPECT_EQ(router.Dispatch(extra).status, 404);
}

TEST(Router, FirstRegisteredMatchWins) {
  Router literal_first = EchoRouter({{"GET", "/a/b"}, {"GET", "/a/{id}"}});
  Request req = Req("GET", "/a/b");
  EXPECT_EQ(literal_first.Dispatch(req).body, "/a/b");
}

TEST(Router, FindGivesTheRouteIndexAndIdsThatDispatchUses) {
  Router router = EchoRouter({{"GET", "/api/homes"}, {"GET", "/api/homes/{id}/staff/{id}"}, {"PUT", "/x"}});
  Request req = Req("GET", "/api/homes/3/staff/4");
  Router::Match m = router.Find(req);
  EXPECT_EQ(m.index, 1);
  ASSERT_EQ(m.id_count, 2u);
  EXPECT_EQ(m.ids[0], 3);
  EXPECT_EQ(m.ids[1], 4);
  EXPECT_TRUE(req.path_ids.empty());  // Find only looks
  EXPECT_EQ(router.Dispatch(req, m).body, "/api/homes/{id}/staff/{id} 3 4");
  EXPECT_EQ(req.path_ids, (std::vector<int64_t>{3, 4}));

  Request other_method = Req("GET", "/x");
  Router::Match none = router.Find(other_method);
  EXPECT_EQ(none.index, Router::kUnmatched);
  EXPECT_EQ(none.id_count, 0u);
  EXPECT_EQ(router.Dispatch(other_method, none).status, 405);
  EXPECT_EQ(router.RouteName(other_method), "unmatched");
}

TEST(Router, PathLongerThanAnyPatternIs404) {
  Router router = EchoRouter({{"GET", "/a/{id}"}});
  std::string path;
  for (size_t i = 0; i < Router::kMaxSegments * 2; ++i) path += "/a";
  Request req = Req("GET", path);
  EXPECT_EQ(router.Find(req).index, Router::kUnmatched);
  EXPECT_EQ(router.Dispatch(req).status, 404);
}

TEST(Router, PatternOfMoreThanMaxSegmentsIsRefusedAtSetUp) {
  Router router;
  std::string longest;  // kMaxSegments segments, the first one empty
  for (size_t i = 1; i < Router::kMaxSegments; ++i) longest += "/{id}";
  router.Add("GET", longest, [](Request&) { return Response::NoContent(); });
  EXPECT_THROW(router.Add("GET", longest + "/x", [](Request&) { return Response::NoContent(); }),
               std::invalid_argument);
  std::string path;
  for (size_t i = 1; i < Router::kMaxSegments; ++i) path.append("/").append(std::to_string(i));
  Request req = Req("GET", path);
  EXPECT_EQ(router.Dispatch(req).status, 204);
  EXPECT_EQ(req.path_ids.size(), Router::kMaxSegments - 1);
  EXPECT_EQ(req.path_ids.back(), static_cast<int64_t>(Router::kMaxSegments - 1));
}

TEST(ErrorBody, HasCodeMessageAndNullField) {
  EXPECT_EQ(ErrorBody(Error::NotFound("shift 12 does not exist")),
            R"({"error":{"code":"not_found","message":"shift 12 does not exist","field":null}})");
}

TEST(ErrorBody, FieldIsAStringAndTextIsEscaped) {
  EXPECT_EQ(ErrorBody(Error::Invalid("bad \"date\"\n\\", "from")),
            R"({"error":{"code":"invalid","message":"bad \"date\"\n\\","field":"from"}})");
}

TEST(Response, FromErrorUsesTheCodesStatus) {
  EXPECT_EQ(Response::FromError(Error::Conflict("x")).status, 409);
  EXPECT_EQ(Response::FromError(Error::PayloadTooLarge("x")).status, 413);
  EXPECT_EQ(Response::FromError(Error::Internal("x")).status, 500);
  Response none = Response::NoContent();
  EXPECT_EQ(none.status, 204);
  EXPECT_TRUE(none.body.empty());
}

TEST(Request, QueryReturnsTheFirstValue) {
  Request req;
  ASSERT_TRUE(ParseTarget("/x?b=2&a=first&a=second&flag", req).ok());
  EXPECT_EQ(req.path, "/x");
  EXPECT_EQ(req.Query("a"), "first");
  EXPECT_EQ(req.Query("b"), "2");
  EXPECT_EQ(req.Query("flag"), "");
  EXPECT_EQ(req.Query("missing"), std::nullopt);
}

TEST(Request, CookieFindsItsValue) {
  Request req;
  req.headers["cookie"] = "theme=dark; rota_session=abc123 ;other=\"q\"";
  EXPECT_EQ(req.Cookie("rota_session"), "abc123");
  EXPECT_EQ(req.Cookie("other"), "q");
  EXPECT_EQ(req.Cookie("rota"), std::nullopt);
  EXPECT_EQ(req.Header("cookie").has_value(), true);
  EXPECT_EQ(Request{}.Cookie("theme"), std::nullopt);
}

TEST(ParseTarget, DecodesPathAndQuery) {
  Request req;
  ASSERT_TRUE(ParseTarget("/files/hello%20world+x?name=J%C3%B6rg+Smith&a%26b=c%3Dd", req).ok());
  EXPECT_EQ(req.path, "/files/hello world+x");  // '+' is literal in a path
  EXPECT_EQ(req.Query("name"), "J\xC3\xB6rg Smith");
  EXPECT_EQ(req.Query("a&b"), "c=d");
}

TEST(ParseTarget, RejectsBadEncodingAndNul) {
  for (const char* target : {"/a%zz", "/a%2", "/a%", "/a%00b", "/a?x=%0", "/a?x=%00", "/a?%G1=1", "a/b", ""}) {
    Request req;
    Status s = ParseTarget(target, req);
    ASSERT_FALSE(s.ok()) << target;
    EXPECT_EQ(s.error().code, ErrorCode::kBadRequest) << target;
  }
}

}  // namespace
}  // namespace rota::http
