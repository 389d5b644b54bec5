#include "domain/model.hpp"

namespace rota::domain {

Date WindowLast(Date from, int n) {
  const Date max = Date::Max();
  return (max - from) < n - 1 ? max : from.AddDays(n - 1);
}

double CoveragePct(int64_t staffed, int64_t total) {
  if (total == 0) return 0.0;
  return static_cast<double>((2000 * staffed + total) / (2 * total)) / 10.0;
}

}  // namespace rota::domain
