// The monthly report as CSV (api.md, `format=csv`): what a manager opens in a
// spreadsheet. RFC 4180: a header row `staff_id,name,shifts,hours`, then one
// row per entry of the JSON report's `hours_by_staff`, in the same order, every
// line ended by CRLF. A field holding a comma, a double quote, CR or LF is
// quoted, its quotes doubled; no other field is. Numbers are written exactly as
// the JSON answer writes them (model_json.hpp JsonNumber: hours "8.0", "7.5"),
// so a reader comparing the two finds the same text.
#pragma once

#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace rota::service {

// One CSV field, quoted when RFC 4180 requires it.
std::string CsvField(std::string_view text);

// The whole CSV document of `report`.
std::string MonthlyReportCsv(const domain::MonthlyReport& report);

}  // namespace rota::service
