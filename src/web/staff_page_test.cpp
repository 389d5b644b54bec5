// The staff page's fragment rendered from structs, without a server or a database.
#include "web/staff_page.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace rota::web {
namespace {

Date D(const char* iso) { return *Date::Parse(iso); }

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

// The text between `from` and the next `to` after it ("" when absent).
std::string Between(const std::string& html, const std::string& from, const std::string& to) {
  auto at = html.find(from);
  if (at == std::string::npos) return "";
  at += from.size();
  return html.substr(at, html.find(to, at) - at);
}

// The <tr> of member `id`.
std::string Row(const std::string& html, int64_t id) {
  auto at = html.find("<tr data-staff-row=\"" + std::to_string(id) + "\"");
  if (at == std::string::npos) return "(no row)";
  return html.substr(at, html.find("</tr>", at) - at);
}

domain::StaffMember Member(int64_t id, std::string first, std::string last, std::string role, double hours) {
  domain::StaffMember m;
  m.id = id;
  m.first_name = std::move(first);
  m.last_name = std::move(last);
  m.name = m.first_name + " " + m.last_name;
  m.role = std::move(role);
  m.contracted_hours = hours;
  m.active = true;
  return m;
}

domain::AssignedShift Assigned(int64_t shift, const char* date, const char* unit, const char* type) {
  return {shift, 1, D(date), {1, unit}, {1, type, "07:00", "15:00", 8}};
}

class StaffPanelRender : public ::testing::Test {
 protected:
  void SetUp() override {
    reads_.home = {{3, "Willow <View>"}, {{1, "Clover"}, {2, "Heather & Fern"}}};
    auto zed = Member(1, "Zed", "Ames", "nurse", 37.5);
    zed.primary_unit = domain::IdName{1, "Clover"};
    zed.qualified_units = {{1, "Clover"}, {2, "Heather & Fern"}};
    zed.certifications = {{10, "First aid", D("2026-11-20")},                                      // expired
                          {11, "Manual handling", D("2026-12-10")},                                // within 30 days
                          {12, "Medication", D("2027-06-01")}};                                    // valid
    zed.leave_requests = {{20, D("2026-11-01"), D("2026-11-03"), domain::LeaveStatus::kApproved},  // past
                          {21, D("2026-12-05"), D("2026-12-06"), domain::LeaveStatus::kPending},
                          {22, D("2026-11-27"), D("2026-11-29"), domain::LeaveStatus::kApproved},  // ongoing
                          {23, D("2026-12-20"), D("2026-12-21"), domain::LeaveStatus::kRejected}};
    auto amy = Member(2, "Amy", "O'Brien", "senior_carer", 20);
    amy.active = false;
    reads_.staff = {zed, amy, Member(3, "Bo", "Chen", "carer", 0)};
  }
  std::string Render() { return RenderStaffPanel(3, D("2026-11-28"), reads_); }
  StaffPageReads reads_;
};

TEST_F(StaffPanelRender, ListsEveryMemberByNameWithTheirFieldsEscaped) {
  std::string html = Render();
  EXPECT_TRUE(Has(html, "<span class=\"muted\" data-testid=\"home-name\">Willow &lt;View&gt;</span>"));
  // Ordered by name: Amy, Bo, Zed.
  auto amy = html.find("data-staff-row=\"2\""), bo = html.find("data-staff-row=\"3\""),
       zed = html.find("data-staff-row=\"1\"");
  ASSERT_NE(zed, std::string::npos);
  EXPECT_LT(amy, bo);
  EXPECT_LT(bo, zed);
  std::string row = Row(html, 1);
  EXPECT_TRUE(Has(row,
                  "data-name=\"Zed Ames\" data-role=\"nurse\" data-hours=\"37.5\" data-units=\" 1 2 1 \" "
                  "data-active=\"true\">"));
  EXPECT_TRUE(Has(row, "<td data-label=\"Primary unit\" data-testid=\"primary-unit\">Clover</td>"));
  EXPECT_TRUE(Has(row,
                  "<td data-label=\"Qualified units\" data-testid=\"qualified-units\">Clover, Heather &amp; "
                  "Fern</td>"));
  std::string amy_row = Row(html, 2);
  EXPECT_TRUE(Has(amy_row, "data-name=\"Amy O&#39;Brien\""));
  EXPECT_TRUE(Has(amy_row, "class=\"inactive\""));
  EXPECT_TRUE(Has(amy_row, "<td data-label=\"Role\" data-testid=\"role\">senior carer</td>"));
  EXPECT_TRUE(Has(amy_row, "<td data-label=\"Active\" data-testid=\"active\">no</td>"));
  EXPECT_TRUE(Has(amy_row, "<td data-label=\"Primary unit\" data-testid=\"primary-unit\"><span class=\"muted\">none"));
  EXPECT_TRUE(Has(html, "<span data-testid=\"shown-count\">3</span> of <span data-testid=\"staff-count\">3</span>"));
}

TEST_F(StaffPanelRender, MarksExpiredAndExpiringCertificationsInWords) {
  std::string row = Row(Render(), 1);
  EXPECT_TRUE(Has(row,
                  "<li class=\"cert expired\" data-cert=\"10\" data-expires=\"2026-11-20\"><span class=\"badge "
                  "bad\">expired</span> <span class=\"cert-name\">First aid</span> <span class=\"when\">expired "
                  "Fri 20 Nov 2026</span>"));
  EXPECT_TRUE(Has(row, "<li class=\"cert expiring\" data-cert=\"11\""));
  EXPECT_TRUE(Has(row, "<span class=\"badge warn\">expiring</span>"));
  EXPECT_TRUE(Has(row,
                  "<li class=\"cert valid\" data-cert=\"12\" data-expires=\"2027-06-01\"><span class=\"cert-name\">"
                  "Medication</span> <span class=\"when\">until Tue 1 Jun 2027</span>"));
  EXPECT_TRUE(Has(row,
                  "data-action=\"remove-cert\" data-cert=\"10\">Remove<span class=\"sr-only\"> First aid of Zed "
                  "Ames</span>"));
}

TEST_F(StaffPanelRender, ShowsLeaveNotYetOverAndNotRejectedByStartDate) {
  std::string leave = Between(Row(Render(), 1), "data-testid=\"leave\">", "</td>");
  EXPECT_FALSE(Has(leave, "data-leave=\"20\""));  // over
  EXPECT_FALSE(Has(leave, "data-leave=\"23\""));  // rejected
  auto ongoing = leave.find("data-leave=\"22\""), later = leave.find("data-leave=\"21\"");
  ASSERT_NE(ongoing, std::string::npos);
  EXPECT_LT(ongoing, later);
  EXPECT_TRUE(Has(leave, "Sat 5 Dec 2026 – Sun 6 Dec 2026 <span class=\"badge pending\">pending</span>"));
  EXPECT_TRUE(Has(leave, "<span class=\"badge ok\">approved</span>"));
  EXPECT_EQ(Between(Row(Render(), 3), "data-testid=\"leave\">", "</td>"), "<span class=\"muted\">none</span>");
}

TEST_F(StaffPanelRender, TheDataBlockHoldsWhatTheEditFormStartsFrom) {
  std::string json = Between(Render(), "<script type=\"application/json\" id=\"staff-data\">", "</script>");
  rapidjson::Document d;
  ASSERT_FALSE(d.Parse(json.c_str()).HasParseError()) << json;
  const auto& zed = d["staff"]["1"];
  EXPECT_STREQ(zed["first_name"].GetString(), "Zed");
  EXPECT_STREQ(zed["last_name"].GetString(), "Ames");
  EXPECT_STREQ(zed["role"].GetString(), "nurse");
  EXPECT_EQ(zed["contracted_hours"].GetDouble(), 37.5);
  EXPECT_EQ(zed["primary_unit_id"].GetInt64(), 1);
  ASSERT_EQ(zed["qualified_unit_ids"].Size(), 2u);
  EXPECT_EQ(zed["qualified_unit_ids"][1].GetInt64(), 2);
  EXPECT_TRUE(d["staff"]["2"]["primary_unit_id"].IsNull());
  EXPECT_FALSE(d["staff"]["2"]["active"].GetBool());
  EXPECT_STREQ(d["staff"]["2"]["last_name"].GetString(), "O'Brien");
}

TEST(VacatedShiftsRender, NamesEachShiftThatBecomesVacantByDateUnitAndType) {
  auto zed = Member(1, "Zed", "<Ames>", "nurse", 37.5);
  std::vector<domain::AssignedShift> shifts = {Assigned(100, "2026-11-29", "Clover", "Early"),
                                               Assigned(101, "2026-12-01", "Heather & Fern", "Late")};
  std::string html = RenderVacatedShifts(zed, shifts);
  EXPECT_TRUE(Has(html,
                  "<p id=\"delete-summary\" data-count=\"2\">2 upcoming shifts of Zed &lt;Ames&gt; will become "
                  "vacant:</p>"));
  EXPECT_TRUE(Has(html,
                  "<li data-shift=\"100\" data-date=\"2026-11-29\">Sun 29 Nov 2026 · Clover · Early "
                  "07:00–15:00</li><li data-shift=\"101\" data-date=\"2026-12-01\">Tue 1 Dec 2026 · Heather &amp; "
                  "Fern · Late 07:00–15:00</li></ul>"));
  shifts.resize(1);
  EXPECT_TRUE(Has(RenderVacatedShifts(zed, shifts), ">1 upcoming shift of Zed"));
  shifts.clear();
  EXPECT_EQ(RenderVacatedShifts(zed, shifts),
            "<p id=\"delete-summary\" data-count=\"0\">Zed &lt;Ames&gt; has no upcoming shift: no shift becomes "
            "vacant.</p>");
}

TEST_F(StaffPanelRender, TheFormsOfferTheHomesUnitsAndRoles) {
  std::string html = Render();
  EXPECT_TRUE(
      Has(html, "<input type=\"checkbox\" name=\"qualified_unit_ids\" value=\"2\"> Heather &amp; Fern</label>"));
  EXPECT_TRUE(Has(Between(html, "id=\"filter-unit\">", "</select>"), "<option value=\"1\">Clover</option>"));
  EXPECT_TRUE(Has(html, "<option value=\"senior_carer\">senior carer</option>"));
  // Every field has a place for the API's message about it.
  for (const char* id : {"staff-form-first_name-error", "staff-form-contracted_hours-error",
                         "cert-form-expires_on-error", "leave-form-end_date-error"})
    EXPECT_TRUE(Has(html, std::string("id=\"") + id + "\"")) << id;
}

TEST_F(StaffPanelRender, AHomeWithoutStaffSaysSo) {
  reads_.staff.clear();
  std::string html = Render();
  EXPECT_TRUE(Has(html, "No member of staff yet."));
  EXPECT_TRUE(Has(html, "{\"staff\":{}}"));
}

}  // namespace
}  // namespace rota::web
