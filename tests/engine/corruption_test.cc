// Placeholder being written; replaced by the real suite.
#include "gtest/gtest.h"
#include "tests/testing/builders.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

TEST(CorruptionTest, StoreOpensEmpty) {
  ::ogi::testing::TestStore t;
  EXPECT_EQ(t->HeadPosition(), 0u);
}

}  // namespace
}  // namespace ogi
