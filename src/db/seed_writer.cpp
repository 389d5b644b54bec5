#include "db/seed_writer.hpp"

#include <array>
#include <iterator>

#include <fmt/format.h>

namespace rota::db {

TableWriter::TableWriter(Connection& conn, std::string_view table, std::string_view columns, size_t width)
    : conn_(conn), width_(width) {
  std::string row = "(";
  for (size_t i = 0; i < width; ++i) row += i ? ",?" : "?";
  row += ")";
  const std::string head = fmt::format("INSERT INTO {} ({}) VALUES ", table, columns);
  single_sql_ = head + row;
  batch_sql_ = head;
  for (size_t i = 0; i < kBatchRows; ++i) batch_sql_ += (i ? "," : "") + row;
}

Status TableWriter::Flush() {
  size_t done = 0;
  const size_t batch_values = kBatchRows * width_;
  while (rows_ - done >= kBatchRows) {
    Params batch(std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>(done * width_)),
                 std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>(done * width_ + batch_values)));
    if (auto r = conn_.Exec(batch_sql_, batch); !r) return r.status();
    done += kBatchRows;
  }
  for (; done < rows_; ++done) {
    Params one(std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>(done * width_)),
               std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>((done + 1) * width_)));
    if (auto r = conn_.Exec(single_sql_, one); !r) return r.status();
  }
  pending_.clear();
  rows_ = 0;
  return Status::Ok();
}

Status ResetIdSequences(Connection& conn) {
  if (conn.dialect() != Dialect::kPostgres) return Status::Ok();
  constexpr std::array<std::string_view, 9> kTables = {
      "care_home", "unit", "app_user", "staff", "certification", "shift_type", "shift", "shift_note", "leave_request"};
  for (auto t : kTables) {
    const std::string sql =
        fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT MAX(id) FROM {0}))", t);
    ROTA_TRY(conn.Query(sql, {}, [](const Row&) {}));
  }
  return Status::Ok();
}

}  // namespace rota::db
