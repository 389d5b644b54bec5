#include "db/outbox.hpp"

#include <charconv>

namespace rota::db {
namespace {

std::string JoinHomes(const std::set<int64_t>& homes) {
  std::string out;
  for (int64_t h : homes) {
    if (!out.empty()) out += ',';
    out += std::to_string(h);
  }
  return out;
}

// "1,2,30" -> {1, 2, 30}; a malformed element is skipped (the row is ours; it cannot be).
std::set<int64_t> SplitHomes(std::string_view text) {
  std::set<int64_t> homes;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    int64_t id = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec == std::errc() && end == part.data() + part.size()) homes.insert(id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return homes;
}

}  // namespace

Result<int64_t> RecordOwed(Connection& c, const std::set<int64_t>& homes, unsigned families,
                           const std::string& now_timestamp) {
  auto id = c.QueryInt("INSERT INTO cache_outbox (homes, families, created_at) VALUES (?, ?, ?) RETURNING id",
                       {JoinHomes(homes), int64_t{families}, now_timestamp});
  if (!id) return std::move(id).error();
  if (!*id) return Error::Internal("cache_outbox insert returned no id");
  return **id;
}

Result<std::vector<OwedInvalidation>> LoadOwed(Connection& c, const std::string& before_timestamp) {
  std::vector<OwedInvalidation> out;
  auto row = [&](const Row& r) {
    out.push_back(OwedInvalidation{r.Int(0), SplitHomes(r.Text(1)), static_cast<unsigned>(r.Int(2))});
  };
  Status s = before_timestamp.empty()
                 ? c.Query("SELECT id, homes, families FROM cache_outbox ORDER BY id", {}, row)
                 : c.Query("SELECT id, homes, families FROM cache_outbox WHERE created_at < ? ORDER BY id",
                           {before_timestamp}, row);
  if (!s) return std::move(s).error();
  return out;
}

Status SettleOwed(Connection& c, const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  return InTransaction(c, [&]() -> Status {
    for (int64_t id : ids) ROTA_TRY(c.Exec("DELETE FROM cache_outbox WHERE id = ?", {id}).status());
    return Status::Ok();
  });
}

}  // namespace rota::db
