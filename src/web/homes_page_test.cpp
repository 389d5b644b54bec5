// The /homes/ page rendered from structs, without a server or a database.
#include "web/homes_page.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rota::web {
namespace {

const Date kToday = *Date::Parse("2026-11-28");

bool Has(const std::string& html, const std::string& part) { return html.find(part) != std::string::npos; }

domain::HomeOverview Home(int64_t id, std::string name, int64_t total, int64_t staffed) {
  domain::HomeOverview h;
  h.home = {id, std::move(name)};
  h.shifts = {total, staffed};
  return h;
}

// The home ids of the rows, in page order.
std::vector<int64_t> RowOrder(const std::string& html) {
  std::vector<int64_t> ids;
  for (auto at = html.find("data-home-row=\""); at != std::string::npos; at = html.find("data-home-row=\"", at + 1))
    ids.push_back(std::stoll(html.substr(at + 15)));
  return ids;
}

TEST(HomesPageRender, WorstCoveredHomesComeFirstThenMostVacanciesThenId) {
  std::vector<domain::HomeOverview> homes = {
      Home(1, "A", 10, 9),   // 90.0%
      Home(2, "B", 10, 5),   // 50.0%, 5 vacant
      Home(3, "C", 20, 10),  // 50.0%, 10 vacant: worse than B
      Home(4, "D", 0, 0),    // 0.0% (no shifts)
      Home(5, "E", 20, 10),  // like C: id breaks the tie
  };
  EXPECT_EQ(RowOrder(RenderHomesPage(homes, kToday, true)), (std::vector<int64_t>{4, 3, 5, 2, 1}));
}

TEST(HomesPageRender, ShowsEachFigureWithTheApisFormulas) {
  auto h = Home(7, "Orchard", 3, 2);
  h.pending_leave_requests = 4;
  h.certifications_expiring_30d = 5;
  h.certifications_expired = 6;
  const std::string html = RenderHomesPage({h}, kToday, false);
  EXPECT_TRUE(Has(html, "data-coverage=\"66.7\" data-vacant=\"1\""));
  EXPECT_TRUE(Has(html, "data-testid=\"coverage\">66.7%</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"total\">3</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"staffed\">2</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"vacant\">1</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"pending-leave\">4</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"certs-expiring\">5</td>"));
  EXPECT_TRUE(Has(html, "data-testid=\"certs-expired\">6</td>"));
  EXPECT_TRUE(Has(html, "href=\"/homes/7/\""));
  EXPECT_TRUE(Has(html, "2026-11-28 to 2026-12-04"));
}

TEST(HomesPageRender, OnlyAnAdministratorsTableHasSortButtonsWithAriaSort) {
  const std::vector<domain::HomeOverview> homes = {Home(1, "A", 1, 1)};
  const std::string admin = RenderHomesPage(homes, kToday, true);
  EXPECT_TRUE(
      Has(admin, "<th scope=\"col\" data-sort-key=\"coverage\" aria-sort=\"ascending\"><button type=\"button\""));
  EXPECT_TRUE(Has(admin, "<th scope=\"col\" data-sort-key=\"vacant\"><button type=\"button\""));
  const std::string manager = RenderHomesPage(homes, kToday, false);
  EXPECT_FALSE(Has(manager, "<button"));
  EXPECT_FALSE(Has(manager, "aria-sort"));
}

TEST(HomesPageRender, EscapesNamesAndSaysWhenThereIsNothingToShow) {
  const std::string html = RenderHomesPage({Home(1, "<b>&\"Co\"", 1, 0)}, kToday, true);
  EXPECT_TRUE(Has(html, "&lt;b&gt;&amp;&quot;Co&quot;"));
  EXPECT_FALSE(Has(html, "<b>"));
  EXPECT_TRUE(Has(RenderHomesPage({}, kToday, true), "No home to show"));
}

}  // namespace
}  // namespace rota::web
