// The home panel rendered from structs, without a server or a database.
#include "web/home_panel.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rota::web {
namespace {

Date D(const char* iso) { return *Date::Parse(iso); }

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

// The <option>s offered for shift `id`, as "value:name;" pairs.
std::string Candidates(const std::string& html, int64_t id) {
  auto row = html.find("data-shift-row=\"" + std::to_string(id) + "\"");
  if (row == std::string::npos) return "(no row)";
  auto end = html.find("</tr>", row);
  std::string out;
  for (auto at = html.find("<option value=\"", row); at < end; at = html.find("<option value=\"", at + 1)) {
    auto v = at + 15, q = html.find('"', v), close = html.find("</option>", q);
    out += html.substr(v, q - v) + ":" + html.substr(q + 2, close - q - 2) + ";";
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

domain::Shift MakeShift(int64_t id, Date date, int64_t unit, std::optional<int64_t> staff) {
  domain::Shift s;
  s.id = id;
  s.date = date;
  s.unit = {unit, unit == 1 ? "Clover" : "Heather"};
  s.shift_type = {1, "Early", "07:00", "15:00", 8};
  if (staff) s.staff = domain::Assignee{*staff, "someone", "carer"};
  return s;
}

class HomePanelRender : public ::testing::Test {
 protected:
  void SetUp() override {
    const Date today = D("2026-11-28");
    for (auto* d : {&reads_.dashboard7, &reads_.dashboard14}) {
      d->home = {1, "Orchard <Care> Home"};
      d->range = {today, today.AddDays(d == &reads_.dashboard7 ? 6 : 13)};
    }
    reads_.dashboard7.shifts = {10, 7};
    reads_.dashboard14.shifts = {20, 15};
    reads_.dashboard7.certifications_expired = 2;
    reads_.dashboard14.by_day = {{today, {3, 2}}};
    reads_.dashboard14.by_unit = {{{1, "Clover"}, {20, 15}}};
    reads_.shifts = {MakeShift(100, today, 1, std::nullopt), MakeShift(101, today, 1, 3),
                     MakeShift(102, today.AddDays(1), 2, std::nullopt)};
    reads_.staff = {Member(1, "Ann & Bo", {1, 2}), Member(2, "Cy Dee", {2}), Member(3, "Eve Fox", {1, 2}),
                    Member(4, "Gil Hay", {1, 2}, /*active=*/false), Member(5, "Ida Jay", {1, 2})};
    // Ida is on approved leave on the 29th and has a pending request later.
    reads_.staff[4].leave_requests = {{7, D("2026-11-29"), D("2026-11-30"), domain::LeaveStatus::kApproved},
                                      {8, D("2026-12-05"), D("2026-12-06"), domain::LeaveStatus::kPending}};
    reads_.compliance.expiring_certifications = {{1, "Ann & Bo", "First aid", D("2026-11-20")},
                                                 {3, "Eve Fox", "Manual handling", D("2026-12-03")}};
  }
  std::string Render() { return RenderHomePanel(1, D("2026-11-28"), reads_); }
  HomeReads reads_;
};

TEST_F(HomePanelRender, ShowsTheFiguresOfBothWindowsEscaped) {
  std::string html = Render();
  EXPECT_TRUE(Has(html, "<h1 data-testid=\"home-name\">Orchard &lt;Care&gt; Home</h1>"));
  EXPECT_TRUE(Has(html, "<td data-testid=\"total-7\">10</td><td data-testid=\"total-14\">20</td>"));
  EXPECT_TRUE(Has(html, "<td data-testid=\"vacant-7\">3</td><td data-testid=\"vacant-14\">5</td>"));
  EXPECT_TRUE(Has(html, "<td data-testid=\"coverage-7\">70.0%</td><td data-testid=\"coverage-14\">75.0%</td>"));
  EXPECT_TRUE(Has(html, "<small>Sat 28 Nov – Fri 4 Dec</small>"));
  EXPECT_TRUE(Has(html, "<div class=\"stat alarm\"><span class=\"n\" data-testid=\"certs-expired\">2</span>"));
  EXPECT_TRUE(Has(html, R"({"by_day":[{"label":"Sat 28 Nov","staffed":2,"vacant":1}],)"
                        R"("by_unit":[{"label":"Clover","staffed":15,"vacant":5}]})"));
}

TEST_F(HomePanelRender, OffersOnlyActiveQualifiedStaffFreeThatDay) {
  std::string html = Render();
  EXPECT_TRUE(Has(html, "data-testid=\"vacant-count\">2</span>"));
  // Shift 100 (unit 1, the 28th): Cy is not qualified, Eve already works that
  // day, Gil is inactive.
  EXPECT_EQ(Candidates(html, 100), "1:Ann &amp; Bo;5:Ida Jay;");
  // Shift 102 (unit 2, the 29th): Ida is on approved leave; Eve is free again.
  EXPECT_EQ(Candidates(html, 102), "1:Ann &amp; Bo;2:Cy Dee;3:Eve Fox;");
  EXPECT_EQ(Candidates(html, 101), "(no row)");  // staffed
}

TEST_F(HomePanelRender, SaysSoWhenNoOneIsFree) {
  reads_.staff = {Member(2, "Cy Dee", {2})};
  std::string html = Render();
  EXPECT_TRUE(Has(html, "<td class=\"act\"><span class=\"muted\">no qualified member of staff is free</span>"));
}

TEST_F(HomePanelRender, ListsPendingLeaveAndCertificationsByDate) {
  std::string html = Render();
  EXPECT_TRUE(Has(html, "<tr data-leave-row=\"8\"><td>Ida Jay</td><td>Sat 5 Dec</td><td>Sun 6 Dec</td>"));
  EXPECT_FALSE(Has(html, "data-leave-row=\"7\""));  // approved, not pending
  EXPECT_TRUE(Has(html,
                  "<tr class=\"expired\"><td>Ann &amp; Bo</td><td>First aid</td><td>Fri 20 Nov</td>"
                  "<td>expired</td></tr>"));
  EXPECT_TRUE(Has(html,
                  "<tr class=\"expiring\"><td>Eve Fox</td><td>Manual handling</td><td>Thu 3 Dec</td>"
                  "<td>in 5 days</td></tr>"));
}

TEST_F(HomePanelRender, AnEmptyHomeSaysSoInEverySection) {
  reads_.shifts.clear();
  reads_.staff.clear();
  reads_.compliance = {};
  std::string html = Render();
  EXPECT_TRUE(Has(html, "Every shift of the next 14 days is staffed."));
  EXPECT_TRUE(Has(html, "No leave request is waiting."));
  EXPECT_TRUE(Has(html, "No certification expires within 30 days."));
}

}  // namespace
}  // namespace rota::web
