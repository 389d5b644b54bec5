#include "service/json_body.hpp"

#include <gtest/gtest.h>

namespace rota::service {
namespace {

// The suite name carries "Write" so that `--gtest_filter='*Write*'` runs it with the write suites.
void ExpectError(const Error& e, ErrorCode code, const std::optional<std::string>& field) {
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_EQ(e.field, field) << e.message;
}

Error ParseError(std::string_view text) {
  auto r = JsonBody::Parse(text, {"staff_id", "date", "name"});
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? Error{} : r.error();
}

JsonBody Body(std::string_view text) {
  auto r = JsonBody::Parse(text, {"id", "ids", "name", "date", "hours", "flag", "maybe"});
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

TEST(JsonBodyForWrites, RejectsWhatIsNotOneJsonObjectAsBadRequest) {
  for (const char* text : {"", "{", "{\"staff_id\": ", "[1]", "42", "\"x\"", "null", "{} {}", "{}x", "{\"a\":1,}",
                           "{'staff_id': 1}", "{\"staff_id\": NaN}", "/* c */ {}"})
    ExpectError(ParseError(text), ErrorCode::kBadRequest, std::nullopt);
}

TEST(JsonBodyForWrites, RejectsInvalidUtf8AsBadRequest) {
  ExpectError(ParseError("{\"name\": \"\xC3\x28\"}"), ErrorCode::kBadRequest, std::nullopt);
}

TEST(JsonBodyForWrites, RejectsUnknownFieldsNamingThem) {
  ExpectError(ParseError(R"({"staff_id": 1, "colour": "red"})"), ErrorCode::kBadRequest, "colour");
}

TEST(JsonBodyForWrites, RejectsDuplicateKeys) {
  ExpectError(ParseError(R"({"staff_id": 1, "staff_id": 2})"), ErrorCode::kBadRequest, "staff_id");
}

TEST(JsonBodyForWrites, SurvivesDeepNesting) {
  std::string deep = "{\"name\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = JsonBody::Parse(deep, {"name"});
  ASSERT_TRUE(r.ok());
  ExpectError(r->String("name").error(), ErrorCode::kInvalid, "name");
}

TEST(JsonBodyForWrites, IdsArePositiveInt64Only) {
  EXPECT_EQ(*Body(R"({"id": 7})").Id("id"), 7);
  EXPECT_EQ(*Body(R"({"id": 9223372036854775807})").Id("id"), INT64_MAX);
  for (const char* text : {R"({"id": 0})", R"({"id": -3})", R"({"id": 1.5})", R"({"id": 1.0})", R"({"id": 1e3})",
                           R"({"id": "7"})", R"({"id": true})", R"({"id": null})", R"({"id": [7]})",
                           R"({"id": 99999999999999999999})", R"({"id": 9223372036854775808})"})
    ExpectError(Body(text).Id("id").error(), ErrorCode::kInvalid, "id");
}

TEST(JsonBodyForWrites, MissingRequiredFieldIsInvalidOnThatField) {
  JsonBody b = Body("{}");
  ExpectError(b.Id("id").error(), ErrorCode::kInvalid, "id");
  ExpectError(b.String("name").error(), ErrorCode::kInvalid, "name");
  ExpectError(b.DateField("date").error(), ErrorCode::kInvalid, "date");
  ExpectError(b.Double("hours").error(), ErrorCode::kInvalid, "hours");
  ExpectError(b.Bool("flag").error(), ErrorCode::kInvalid, "flag");
  ExpectError(b.IdArray("ids").error(), ErrorCode::kInvalid, "ids");
  EXPECT_FALSE(b.Has("id"));
}

TEST(JsonBodyForWrites, NullableIdReadsNullAsNoId) {
  JsonBody b = Body(R"({"maybe": null, "id": 4})");
  EXPECT_TRUE(b.IsNull("maybe"));
  EXPECT_EQ(*b.NullableId("maybe"), std::nullopt);
  EXPECT_EQ(*b.NullableId("id"), 4);
  ExpectError(Body(R"({"maybe": "4"})").NullableId("maybe").error(), ErrorCode::kInvalid, "maybe");
}

TEST(JsonBodyForWrites, DatesAreStrictCalendarDays) {
  EXPECT_EQ(Body(R"({"date": "2024-02-29"})").DateField("date")->ToString(), "2024-02-29");
  for (const char* text : {R"({"date": "2026-02-30"})", R"({"date": "2026-13-01"})", R"({"date": "26-1-1"})",
                           R"({"date": 20261201})", R"({"date": null})", R"({"date": "2026-12-01T00:00:00Z"})"})
    ExpectError(Body(text).DateField("date").error(), ErrorCode::kInvalid, "date");
}

TEST(JsonBodyForWrites, StringsAreStringsWithoutNul) {
  EXPECT_EQ(*Body(R"({"name": "O'Brien; DROP TABLE staff;--"})").String("name"), "O'Brien; DROP TABLE staff;--");
  EXPECT_EQ(*Body(R"({"name": "caf\u00e9"})").String("name"), "caf\xC3\xA9");
  ExpectError(Body(R"({"name": 3})").String("name").error(), ErrorCode::kInvalid, "name");
  ExpectError(Body(R"({"name": "a\u0000b"})").String("name").error(), ErrorCode::kInvalid, "name");
}

TEST(JsonBodyForWrites, NumbersAndBooleansAreTyped) {
  EXPECT_EQ(*Body(R"({"hours": 37.5})").Double("hours"), 37.5);
  EXPECT_EQ(*Body(R"({"hours": 40})").Double("hours"), 40.0);
  ExpectError(Body(R"({"hours": "40"})").Double("hours").error(), ErrorCode::kInvalid, "hours");
  EXPECT_EQ(*Body(R"({"flag": false})").Bool("flag"), false);
  ExpectError(Body(R"({"flag": 1})").Bool("flag").error(), ErrorCode::kInvalid, "flag");
}

TEST(JsonBodyForWrites, IdArraysAreDeduplicatedAndTyped) {
  EXPECT_EQ(*Body(R"({"ids": [3, 1, 3]})").IdArray("ids"), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(Body(R"({"ids": []})").IdArray("ids")->empty());
  for (const char* text :
       {R"({"ids": [1, "2"]})", R"({"ids": [0]})", R"({"ids": 1})", R"({"ids": null})", R"({"ids": [1.5]})"})
    ExpectError(Body(text).IdArray("ids").error(), ErrorCode::kInvalid, "ids");
}

}  // namespace
}  // namespace rota::service
