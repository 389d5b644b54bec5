// Helpers of the repositories (db/*_repository.cpp), not an interface of db/.
//
// A list and one of its entries load with the same statements but for their
// WHERE clause (StatementVariant). Child rows of all selected entries load with
// one query per kind, ordered like the entries, and are merged in one forward
// pass (Owned + TakeChildren): a constant number of statements, whatever the
// number of entries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rota::db {

struct StatementVariant {
  std::string range;  // the list's statement
  std::string one;    // one entry's
  const std::string& For(bool single) const { return single ? one : range; }

  static StatementVariant Where(std::string_view head, std::string_view range_where, std::string_view one_where,
                                std::string_view tail) {
    auto join = [&](std::string_view where) {
      return std::string(head) + " WHERE " + std::string(where) + " " + std::string(tail);
    };
    return {join(range_where), join(one_where)};
  }
};

// A child row and the id of the entry that owns it.
template <class T>
struct Owned {
  int64_t owner;
  T value;
};

// Moves the children of `owner` from the forward cursor `next` of `rows` into `out`.
template <class T>
void TakeChildren(std::vector<Owned<T>>& rows, size_t& next, int64_t owner, std::vector<T>& out) {
  for (; next < rows.size() && rows[next].owner == owner; ++next) out.push_back(std::move(rows[next].value));
}

// "First Last", as every answer shows a person.
inline std::string FullName(std::string_view first, std::string_view last) {
  std::string n;
  n.reserve(first.size() + last.size() + 1);
  n.append(first).append(" ").append(last);
  return n;
}

}  // namespace rota::db
