#include "service/model_csv.hpp"

#include "service/model_json.hpp"

namespace rota::service {

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string MonthlyReportCsv(const domain::MonthlyReport& report) {
  std::string csv = "staff_id,name,shifts,hours\r\n";
  for (const auto& row : report.hours_by_staff) {
    csv += std::to_string(row.staff_id);
    csv += ',';
    csv += CsvField(row.name);
    csv += ',';
    csv += std::to_string(row.shifts);
    csv += ',';
    csv += JsonNumber(row.hours);
    csv += "\r\n";
  }
  return csv;
}

}  // namespace rota::service
