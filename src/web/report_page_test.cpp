// The monthly report page rendered from structs, without a server or a database.
#include "web/report_page.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rota::web {
namespace {

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

ReportReads Reads(YearMonth month) {
  ReportReads r;
  r.home = {3, "Orchard & Sons"};
  r.report.month = month;
  r.report.total_shifts = 12;
  r.report.vacant_shifts = 3;
  r.report.hours_by_staff = {{4, "Ann \"Nan\" Lee, RN", 2, 16.0}, {9, "Bob <Day>", 1, 7.5}};
  r.report.shifts_by_type = {{1, "Early", 8, 1}, {2, "Night", 4, 2}};
  return r;
}

TEST(ReportPageRender, ShowsTotalsHoursAndTypesWithTheJsonsNumbers) {
  const std::string html = RenderReportPage(Reads({2026, 11}));
  EXPECT_TRUE(Has(html, "data-testid=\"month\">November 2026</span>"));
  EXPECT_TRUE(Has(html, "data-testid=\"total\">12</span>"));
  EXPECT_TRUE(Has(html, "data-testid=\"staffed\">9</span>"));
  EXPECT_TRUE(Has(html, "data-testid=\"vacant\">3</span>"));
  EXPECT_TRUE(Has(html, "data-testid=\"coverage\">75.0%</span>"));
  // Hours as the JSON writes them ("16.0", "7.5"), names escaped.
  EXPECT_TRUE(Has(html,
                  "<tr data-staff-row=\"4\"><th scope=\"row\">Ann &quot;Nan&quot; Lee, RN</th>"
                  "<td data-label=\"Shifts\">2</td><td data-label=\"Hours\">16.0</td></tr>"));
  EXPECT_TRUE(Has(html, "Bob &lt;Day&gt;"));
  EXPECT_TRUE(Has(html, "data-testid=\"total-hours\">23.5</td>"));
  EXPECT_TRUE(Has(html,
                  "<tr data-type-row=\"2\"><th scope=\"row\">Night</th><td data-label=\"Shifts\">4</td>"
                  "<td data-label=\"Staffed\">2</td><td data-label=\"Vacant\">2</td></tr>"));
  // The chart's data block: the same names and hours, '<' made harmless.
  EXPECT_TRUE(Has(html, "\"hours\":[16.0,7.5]"));
  EXPECT_TRUE(Has(html, "Bob \\u003cDay>"));
  EXPECT_TRUE(Has(html, "role=\"img\" aria-label=\"Bar chart of hours by member of staff"));
}

TEST(ReportPageRender, LinksTheNeighbouringMonthsThePickerAndTheCsv) {
  const std::string html = RenderReportPage(Reads({2027, 1}));
  EXPECT_TRUE(Has(html, "href=\"/homes/3/reports/monthly/?month=2026-12\" rel=\"prev\""));
  EXPECT_TRUE(Has(html, "href=\"/homes/3/reports/monthly/?month=2027-02\" rel=\"next\""));
  EXPECT_TRUE(Has(html, "<input type=\"month\" id=\"month-picker\" name=\"month\" value=\"2027-01\""));
  EXPECT_TRUE(Has(html, "download href=\"/api/homes/3/reports/monthly?month=2027-01&amp;format=csv\""));
  const std::string first = RenderReportPage(Reads({1, 1}));
  EXPECT_FALSE(Has(first, "rel=\"prev\""));
  EXPECT_FALSE(Has(RenderReportPage(Reads({9999, 12})), "rel=\"next\""));
}

TEST(ReportPageRender, AMonthWithoutWorkSaysSoAndDrawsNoChart) {
  ReportReads r = Reads({2026, 2});
  r.report.hours_by_staff.clear();
  const std::string html = RenderReportPage(r);
  EXPECT_TRUE(Has(html, "No member of staff worked a shift this month."));
  EXPECT_FALSE(Has(html, "<canvas"));
}

}  // namespace
}  // namespace rota::web
