// Bulk writes of `rota seed` (service/seed.hpp): rows with explicit ids,
// buffered per table and written in multi-row INSERTs, then PostgreSQL's id
// sequences moved past them.
//
// Statement budget: a TableWriter's Flush() costs one statement per
// kBatchRows rows buffered, plus one per row left over; ResetIdSequences one
// per table with an id.
//
// REQUIRES: `conn` is inside the caller's transaction and outlives the writer;
// table and column names are the program's own, never input (they are spliced
// into the SQL; values are bound).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "db/database.hpp"

namespace rota::db {

// Buffers the rows of one table and writes them on Flush() in INSERTs of
// kBatchRows rows (one cached statement), then single-row INSERTs for what is
// left. Writes nothing before Flush(), so the caller controls foreign-key order.
class TableWriter {
 public:
  static constexpr size_t kBatchRows = 64;

  // `columns` as in an INSERT's column list, `width` of them.
  TableWriter(Connection& conn, std::string_view table, std::string_view columns, size_t width);

  // REQUIRES: row.size() == width.
  void Add(Params row) {
    for (auto& v : row) pending_.push_back(std::move(v));
    ++rows_;
  }
  size_t buffered() const { return rows_; }

  Status Flush();

 private:
  Connection& conn_;
  const size_t width_;
  std::string single_sql_, batch_sql_;
  Params pending_;
  size_t rows_ = 0;
};

// Explicit ids leave PostgreSQL's identity sequences at 1; moves each past its
// table's largest id so later inserts do not collide. Nothing on SQLite.
Status ResetIdSequences(Connection& conn);

}  // namespace rota::db
