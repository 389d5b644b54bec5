// gzip of stored answers: a round trip through zlib, what a gzip reader needs
// (the RFC 1952 header), and every way a corrupt value is refused.
#include "service/gzip.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace rota::service {
namespace {

std::string JsonLike(size_t bytes) {
  std::string out = "{\"shifts\":[";
  for (int i = 0; out.size() < bytes; ++i)
    out += "{\"id\":" + std::to_string(i) + ",\"date\":\"2026-11-28\",\"unit\":{\"id\":1,\"name\":\"Rose\"}},";
  out.back() = ']';
  return out + "}";
}

std::string Noise(size_t bytes) {
  std::mt19937 rng(7);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(Gzip, RoundTripsAnswersOfEverySize) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{1023}, size_t{47'000}, size_t{300'000}}) {
    std::string json = JsonLike(n);
    auto back = Gunzip(Gzip(json));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, json) << n;
  }
  std::string noise = Noise(100'000);  // incompressible: larger once gzipped, and still round-trips
  auto back = Gunzip(Gzip(noise));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, noise);
}

TEST(Gzip, IsOneGzipMemberWithoutNameOrTime) {
  std::string gz = Gzip(JsonLike(5000));
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz[2], 8);                               // deflate
  EXPECT_EQ(gz[3], 0);                               // no FNAME, FCOMMENT, FEXTRA
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // MTIME 0: the same bytes on every server
  EXPECT_EQ(Gzip(JsonLike(5000)), gz);
}

TEST(Gzip, CompressesJsonSeveralFold) {
  std::string json = JsonLike(47'000);
  EXPECT_LT(Gzip(json).size() * 5, json.size());
}

TEST(Gunzip, RefusesWhatIsNotOneWholeMember) {
  std::string json = JsonLike(20'000), gz = Gzip(json);
  EXPECT_FALSE(Gunzip(""));
  EXPECT_FALSE(Gunzip(json));                         // not gzip
  EXPECT_FALSE(Gunzip(gz.substr(0, gz.size() - 1)));  // truncated trailer
  EXPECT_FALSE(Gunzip(gz.substr(0, gz.size() / 2)));  // truncated data
  EXPECT_FALSE(Gunzip(gz + "x"));                     // trailing bytes
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 1;
  EXPECT_FALSE(Gunzip(bad_crc));
  std::string bad_data = gz;
  bad_data[gz.size() / 2] ^= 0x55;
  EXPECT_FALSE(Gunzip(bad_data));
  auto e = Gunzip(gz + "x");
  EXPECT_EQ(e.error().code, ErrorCode::kInternal);
}

TEST(Gunzip, StopsAtItsLimit) {
  std::string zeros(1 << 20, '0');
  std::string gz = Gzip(zeros);  // a kilobyte that inflates to a megabyte
  EXPECT_FALSE(Gunzip(gz, zeros.size() - 1));
  auto whole = Gunzip(gz, zeros.size());
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->size(), zeros.size());
}

TEST(GzipAround, WrapsACompressedMemberWithoutInflatingIt) {
  const std::string fragment = JsonLike(40'000);
  const std::string member = Gzip(fragment);
  for (auto [prefix, suffix] : std::vector<std::pair<std::string, std::string>>{
           {"<html><main>", "</main></html>\n"}, {"", ""}, {"x", ""}, {"", "y"}, {Noise(70'000), Noise(140'000)}}) {
    auto page = GzipAround(prefix, member, suffix);
    ASSERT_TRUE(page);
    auto back = Gunzip(*page);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, prefix + fragment + suffix);
    EXPECT_NE(page->find(member.substr(10, member.size() - 20)), std::string::npos) << "the member's bytes as they are";
  }
}

TEST(GzipAround, WrapsAnEmptyMemberAndEveryLevel) {
  for (int level : {1, 6, 9}) {
    auto page = GzipAround("a", Gzip("", level), "b");
    ASSERT_TRUE(page) << level;
    EXPECT_EQ(*Gunzip(*page), "ab");
    page = GzipAround("<", Gzip(JsonLike(3000), level), ">");
    ASSERT_TRUE(page) << level;
    EXPECT_EQ(*Gunzip(*page), "<" + JsonLike(3000) + ">");
  }
}

TEST(GzipAround, RefusesWhatGzipDidNotMake) {
  EXPECT_FALSE(GzipAround("a", "", "b"));
  EXPECT_FALSE(GzipAround("a", JsonLike(100), "b"));
  std::string member = Gzip(JsonLike(5000));
  EXPECT_FALSE(GzipAround("a", member.substr(0, member.size() - 1), "b"));
  // An ordinary gzip member (Z_FINISH without the sync flush) ends otherwise.
  std::string plain = member;
  plain[plain.size() - 9] = '\x01';
  EXPECT_FALSE(GzipAround("a", plain, "b"));
}

}  // namespace
}  // namespace rota::service
