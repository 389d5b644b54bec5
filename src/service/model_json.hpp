// api.md's JSON of the domain types (domain/model.hpp), field by field in
// api.md's order, through the one JsonWriter. The reads and the writes answer
// with these, so "the shift as in the list" is the list's bytes by construction.
#pragma once

#include <string>
#include <vector>

#include "domain/model.hpp"
#include "service/json_writer.hpp"

namespace rota::service {

// One list entry, for a list and for a write's answer.
void WriteJson(JsonWriter& w, const domain::Shift& shift);
void WriteJson(JsonWriter& w, const domain::StaffMember& member);

// Whole answers.
std::string DashboardJson(const domain::DashboardFigures& figures);
std::string ShiftListJson(const std::vector<domain::Shift>& shifts);       // {"shifts": [...]}
std::string StaffListJson(const std::vector<domain::StaffMember>& staff);  // {"staff": [...]}
std::string MonthlyReportJson(const domain::MonthlyReport& report);
std::string ComplianceJson(const domain::ComplianceReport& report);
std::string StatsJson(const domain::ServiceStats& stats);
std::string HomesJson(const std::vector<domain::HomeOverview>& homes);  // {"homes": [...]}
// A number exactly as every JSON answer writes it ("8.0", "7.5"), for the CSV.
std::string JsonNumber(double v);

// One entry on its own (a write's answer).
template <class T>
std::string EntryJson(const T& entry) {
  JsonWriter w;
  WriteJson(w, entry);
  return std::move(w).Take();
}

}  // namespace rota::service
