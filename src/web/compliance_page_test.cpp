// The compliance page rendered from structs, without a server or a database.
#include "web/compliance_page.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rota::web {
namespace {

Date D(const char* iso) { return *Date::Parse(iso); }

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

ComplianceReads Reads() {
  ComplianceReads r;
  r.labels.home = {2, "Elm <House>"};
  r.labels.units = {{5, "Rose"}, {6, "Ivy & Oak"}};
  r.labels.shift_types = {{1, "Early"}, {3, "Night"}};
  r.range = {D("2026-11-28"), D("2026-12-04")};
  r.report.understaffed = {{D("2026-11-29"), 6, 3, 2, 1}};
  r.report.expiring_certifications = {{11, "Ann Lee", "First aid", D("2026-11-20")},
                                      {12, "Bob Day", "Manual handling", D("2026-12-10")}};
  return r;
}

TEST(CompliancePageRender, UnderstaffedShiftsAreNamedAndLinkToThatDayInTheRota) {
  const std::string html = RenderCompliancePage(Reads());
  EXPECT_TRUE(Has(html,
                  "<tr data-understaffed=\"2026-11-29/6/3\"><th scope=\"row\"><a href=\"/homes/2/rota/?from="
                  "2026-11-29\" data-testid=\"rota-link\">Sun 29 Nov 2026</a></th><td data-label=\"Unit\">Ivy "
                  "&amp; Oak</td><td data-label=\"Shift\">Night</td><td data-label=\"Required\">2</td>"
                  "<td data-label=\"Assigned\">1</td></tr>"));
  EXPECT_TRUE(Has(html, "data-testid=\"understaffed-count\">1</span>"));
  EXPECT_TRUE(Has(html, "Elm &lt;House&gt;"));
}

TEST(CompliancePageRender, ExpiredCertificationsAreMarkedInWords) {
  const std::string html = RenderCompliancePage(Reads());
  EXPECT_TRUE(Has(html, "<tr class=\"expired\" data-cert-staff=\"11\"><th scope=\"row\">Ann Lee</th>"));
  EXPECT_TRUE(Has(html, "<span class=\"badge expired\">expired</span>"));
  EXPECT_TRUE(Has(html, "<tr class=\"expiring\" data-cert-staff=\"12\">"));
  EXPECT_TRUE(Has(html, "<span class=\"badge expiring\">in 12 days</span>"));
}

TEST(CompliancePageRender, NavigatesByRangesOfTheSameLength) {
  const std::string html = RenderCompliancePage(Reads());
  EXPECT_TRUE(Has(html, "href=\"/homes/2/compliance/?from=2026-11-21&amp;days=7\" rel=\"prev\""));
  EXPECT_TRUE(Has(html, "href=\"/homes/2/compliance/?from=2026-12-05&amp;days=7\" rel=\"next\""));
  EXPECT_TRUE(Has(html, "name=\"from\" value=\"2026-11-28\""));
  EXPECT_TRUE(Has(html, "name=\"days\" value=\"7\""));
  ComplianceReads first = Reads();
  first.range = {Date::Min(), Date::Min().AddDays(6)};
  EXPECT_FALSE(Has(RenderCompliancePage(first), "rel=\"prev\""));
}

TEST(CompliancePageRender, SaysWhenNothingIsWrong) {
  ComplianceReads r = Reads();
  r.report = {};
  const std::string html = RenderCompliancePage(r);
  EXPECT_TRUE(Has(html, "Every shift of these days has the staff its unit requires."));
  EXPECT_TRUE(Has(html, "No certification expires within 30 days."));
}

}  // namespace
}  // namespace rota::web
