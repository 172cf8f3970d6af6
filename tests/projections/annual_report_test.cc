// Placeholder being written; replaced by the real suite.
#include "projections/annual_report.h"

#include "gtest/gtest.h"

namespace ogi {
namespace {

TEST(AnnualReportTest, FenToWanYuanIsExact) {
  EXPECT_EQ(FenToWanYuan(96171600000), "96171.6");
  EXPECT_EQ(FenToWanYuan(5949088667), "5949.088667");
  EXPECT_EQ(FenToWanYuan(0), "0");
}

}  // namespace
}  // namespace ogi
