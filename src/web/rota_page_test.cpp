// The rota week rendered from structs, without a server or a database: the
// grid's shape, what each cell shows, who is offered for a vacant shift (the
// domain's MayTake), escaping, and the bounds of the week's links.
#include "web/rota_page.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace rota::web {
namespace {

Date D(const char* iso) { return *Date::Parse(iso); }

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

size_t Count(const std::string& html, const std::string& part) {
  size_t n = 0;
  for (auto at = html.find(part); at != std::string::npos; at = html.find(part, at + 1)) ++n;
  return n;
}

// The <li> of shift `id`: up to the next shift or the end of its cell.
std::string Item(const std::string& html, int64_t id) {
  auto at = html.find("data-shift=\"" + std::to_string(id) + "\"");
  if (at == std::string::npos) return "(no shift)";
  at = html.rfind("<li", at);
  auto end = std::min(html.find("<li class=\"shift", at + 1), html.find("</td>", at));
  return html.substr(at, end - at);
}

// Those offered for shift `id`, as "value:name;" pairs: the ids of its
// data-candidates, named by the week's staff <template>.
std::string Candidates(const std::string& html, int64_t id) {
  const std::string item = Item(html, id);
  auto at = item.find("data-candidates=\"");
  if (at == std::string::npos) return "(no data-candidates)";
  at += 17;
  std::istringstream ids(item.substr(at, item.find('"', at) - at));
  std::string out;
  for (std::string v; ids >> v;) {
    auto option = html.find("<option value=\"" + v + "\">", html.find("<template id=\"staff-options\""));
    if (option == std::string::npos) return "(" + v + " is not named)";
    auto name = option + 17 + v.size();
    out += v + ":" + html.substr(name, html.find("</option>", name) - name) + ";";
  }
  return out;
}

domain::StaffMember Member(int64_t id, std::string name, std::vector<int64_t> units, bool active = true) {
  domain::StaffMember m;
  m.id = id;
  m.name = std::move(name);
  m.role = "carer";
  m.active = active;
  for (int64_t u : units) m.qualified_units.push_back({u, "unit"});
  return m;
}

domain::Shift MakeShift(int64_t id, Date date, int64_t unit, std::optional<int64_t> staff, const char* type = "Early") {
  domain::Shift s;
  s.id = id;
  s.date = date;
  s.unit = {unit, unit == 1 ? "Clover" : "Heather"};
  s.shift_type = {1, type, "07:00", "15:00", 8};
  if (staff) s.staff = domain::Assignee{*staff, "Ann <Lee>", "carer"};
  return s;
}

class RotaWeekRender : public ::testing::Test {
 protected:
  void SetUp() override {
    week_.home = {2, "Rose & Thorn"};
    week_.range = domain::WeekFrom(today_);
    week_.units = {{1, "Clover"}, {2, "Heather"}};
  }
  std::string Render() const { return RenderRotaWeek(week_, today_); }

  const Date today_ = D("2026-11-28");
  domain::RotaWeek week_;
};

TEST_F(RotaWeekRender, UnitsDownDaysAcross) {
  std::string html = Render();
  EXPECT_EQ(Count(html, "<tr data-unit="), 2u);
  EXPECT_EQ(Count(html, "<th scope=\"col\" data-date="), 7u);
  EXPECT_TRUE(Has(html, "<th scope=\"col\" data-date=\"2026-11-28\" class=\"today\">Sat 28 Nov</th>"));
  EXPECT_TRUE(Has(html, "data-date=\"2026-12-04\"")) << "seven days: Sat 28 Nov .. Fri 4 Dec";
  EXPECT_FALSE(Has(html, "data-date=\"2026-12-05\""));
  EXPECT_EQ(Count(html, "no shifts"), 14u) << "an empty cell says so";
  EXPECT_TRUE(Has(html, "Rose &amp; Thorn"));
}

TEST_F(RotaWeekRender, ACellListsItsShiftsWithStaffOrVacantAndNotes) {
  week_.shifts = {MakeShift(7, today_.AddDays(1), 2, 40, "Late"), MakeShift(8, today_.AddDays(1), 2, std::nullopt)};
  week_.shifts[0].notes = {{3, "manager2", "handover <at> 14:45", "2026-11-28T10:00:00Z"},
                           {4, std::nullopt, "second", "2026-11-28T11:00:00Z"}};
  std::string html = Render();
  auto cell = html.find("<td data-date=\"2026-11-29\" data-unit=\"2\">");
  ASSERT_NE(cell, std::string::npos);
  EXPECT_LT(cell, html.find("data-shift=\"7\"")) << "the shifts sit in their (unit, day) cell";
  std::string staffed = Item(html, 7), vacant = Item(html, 8);
  EXPECT_TRUE(Has(staffed,
                  "<button type=\"button\" class=\"shift-open\" aria-expanded=\"false\"><strong>Late</strong> "
                  "<span class=\"time\">07:00–15:00</span>"));
  EXPECT_TRUE(Has(staffed, "data-staff=\"40\">Ann &lt;Lee&gt;</span>"));
  EXPECT_TRUE(Has(staffed, "manager2:</span> handover &lt;at&gt; 14:45"));
  EXPECT_TRUE(Has(staffed, "(removed user):</span> second"));
  EXPECT_FALSE(Has(staffed, "data-candidates")) << "a staffed shift offers no one";
  EXPECT_TRUE(Has(vacant, "is-vacant"));
  EXPECT_TRUE(Has(vacant, ">vacant</span>"));
  EXPECT_TRUE(Has(vacant, "data-candidates=\"\""));
  EXPECT_FALSE(Has(html, "<select") || Has(html, "data-action"))
      << "the actions are built when a shift is opened, not sent with each shift";
  EXPECT_TRUE(Has(html, "<template id=\"staff-options\" data-max-note=\"10000\"></template>"));
  EXPECT_TRUE(Has(html, "data-testid=\"shift-count\">2</span>"));
  EXPECT_TRUE(Has(html, "data-testid=\"vacant-count\">1</span>"));
}

TEST_F(RotaWeekRender, OnlyThoseTheDomainAcceptsAreOffered) {
  const Date day = today_.AddDays(2);
  week_.shifts = {MakeShift(1, day, 1, std::nullopt), MakeShift(2, day, 2, 12)};
  domain::StaffMember on_leave = Member(13, "On Leave", {1});
  domain::LeaveRequest leave;
  leave.id = 1;
  leave.start_date = day;
  leave.end_date = day.AddDays(3);
  leave.status = domain::LeaveStatus::kApproved;
  on_leave.leave_requests.push_back(leave);
  week_.staff = {Member(10, "Free & Qualified", {1, 2}), Member(11, "Wrong Unit", {2}),
                 Member(12, "Works That Day", {1}), on_leave, Member(14, "Inactive", {1}, false)};
  EXPECT_EQ(Candidates(Render(), 1), "10:Free &amp; Qualified;");
  EXPECT_FALSE(Has(Render(), "Wrong Unit")) << "the staff <template> names only those offered somewhere";
}

TEST_F(RotaWeekRender, AVacantShiftNoOneMayTakeOffersNoOne) {
  week_.shifts = {MakeShift(1, today_, 1, std::nullopt)};
  week_.staff = {Member(11, "Wrong Unit", {2})};
  EXPECT_EQ(Candidates(Render(), 1), "");
  EXPECT_TRUE(Has(Item(Render(), 1), "data-candidates=\"\""));
}

TEST_F(RotaWeekRender, WeekLinksStayInsideTheWindowTheServerAccepts) {
  std::string html = Render();
  EXPECT_TRUE(Has(html, "href=\"/homes/2/rota/?from=2026-11-21\" rel=\"prev\""));
  EXPECT_TRUE(Has(html, "href=\"/homes/2/rota/?from=2026-12-05\" rel=\"next\""));
  week_.range = domain::WeekFrom(today_.AddDays(domain::kWeekStartWindowDays - 3));
  html = Render();
  EXPECT_FALSE(Has(html, "rel=\"next\"")) << "the next week would be refused";
  EXPECT_TRUE(Has(html, "rel=\"prev\""));
}

TEST(ParseWeekStart, DefaultsToTodayAndRefusesWhatItWouldNotCache) {
  const Date today = D("2026-11-28");
  EXPECT_EQ(*domain::ParseWeekStart(std::nullopt, today), today);
  EXPECT_EQ(*domain::ParseWeekStart("2027-11-29", today), D("2027-11-29"));
  EXPECT_EQ(*domain::ParseWeekStart("2025-11-27", today), D("2025-11-27"));
  for (const char* bad : {"2027-11-30", "2025-11-26", "0001-01-01", "2026-02-30", "tomorrow", ""}) {
    auto r = domain::ParseWeekStart(bad, today);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << bad;
    EXPECT_EQ(r.error().field, "from");
  }
}

}  // namespace
}  // namespace rota::web
