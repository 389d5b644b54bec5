// The monthly report's CSV (RFC 4180) from structs.
#include "service/model_csv.hpp"

#include <gtest/gtest.h>

namespace rota::service {
namespace {

TEST(Csv, QuotesOnlyTheFieldsThatNeedItAndDoublesTheirQuotes) {
  EXPECT_EQ(CsvField("Ann Lee"), "Ann Lee");
  EXPECT_EQ(CsvField("Lee, Ann"), "\"Lee, Ann\"");
  EXPECT_EQ(CsvField("Ann \"Nan\" Lee"), "\"Ann \"\"Nan\"\" Lee\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(Csv, TheReportIsAHeaderAndOneCrlfRowPerMemberOfStaffWithTheJsonsHours) {
  domain::MonthlyReport r;
  r.hours_by_staff = {{4, "Ann \"Nan\" Lee, RN", 2, 16.0}, {9, "Bob Day", 1, 7.5}};
  EXPECT_EQ(MonthlyReportCsv(r),
            "staff_id,name,shifts,hours\r\n4,\"Ann \"\"Nan\"\" Lee, RN\",2,16.0\r\n9,Bob Day,1,7.5\r\n");
  EXPECT_EQ(MonthlyReportCsv({}), "staff_id,name,shifts,hours\r\n");
}

}  // namespace
}  // namespace rota::service
