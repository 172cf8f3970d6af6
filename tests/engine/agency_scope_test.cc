// The one roll-up rule (engine/agency_state.h): InAgencyScope, which the
// service's token reach walks, and AgencyScope, the report's set, agree with
// an ancestor list kept while generated agency forests are built.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#include "engine/agency_state.h"
#include "tests/testing/status_matchers.h"

namespace ogi {
namespace {

using ::ogi::testing::StatusIs;

struct Forest {
  absl::flat_hash_map<std::string, AgencyState> agencies;
  // Each agency's ancestors, itself included, as they were when it was added.
  std::map<std::string, absl::flat_hash_set<std::string>> above;
};

// `n` agencies, each a top agency or the child of one added before it.
Forest Generate(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  Forest f;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    const std::string id = absl::StrCat("a", i);
    AgencyState state;
    absl::flat_hash_set<std::string> above = {id};
    if (!ids.empty() && rng() % 4 != 0) {
      state.parent_id = ids[rng() % ids.size()];
      for (const std::string& a : f.above[state.parent_id]) above.insert(a);
    }
    f.agencies[id] = state;
    f.above[id] = above;
    ids.push_back(id);
  }
  return f;
}

auto ParentIn(const Forest& f) {
  return [&f](const std::string& id) -> absl::StatusOr<std::string> {
    auto it = f.agencies.find(id);
    if (it == f.agencies.end()) return absl::NotFoundError(id);
    return it->second.parent_id;
  };
}

TEST(AgencyScopeTest, TheWalkAndTheSetAgreeWithTheAncestorsOnGeneratedForests) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    const Forest f = Generate(seed, 1 + static_cast<int>(seed % 7) * 9);
    for (const auto& [root, unused] : f.agencies) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, " root ", root));
      const absl::flat_hash_set<std::string> rollup =
          AgencyScope(root, true, f.agencies,
                      [](const AgencyState& a) -> const std::string& {
                        return a.parent_id;
                      });
      const absl::flat_hash_set<std::string> alone =
          AgencyScope(root, false, f.agencies,
                      [](const AgencyState& a) -> const std::string& {
                        return a.parent_id;
                      });
      EXPECT_EQ(alone, absl::flat_hash_set<std::string>{root});
      for (const auto& [agency, above] : f.above) {
        const bool want = above.contains(root);
        EXPECT_EQ(rollup.contains(agency), want) << agency;
        ASSERT_OK_AND_ASSIGN(
            bool walked, InAgencyScope(root, true, agency, ParentIn(f), 64));
        EXPECT_EQ(walked, want) << agency;
        ASSERT_OK_AND_ASSIGN(
            bool own, InAgencyScope(root, false, agency, ParentIn(f), 64));
        EXPECT_EQ(own, agency == root) << agency;
      }
    }
  }
}

TEST(AgencyScopeTest, UnknownAgenciesAreOutsideAndOtherErrorsAreReturned) {
  const Forest f = Generate(7, 20);
  ASSERT_OK_AND_ASSIGN(bool in,
                       InAgencyScope("a0", true, "nobody", ParentIn(f), 64));
  EXPECT_FALSE(in);
  ASSERT_OK_AND_ASSIGN(in, InAgencyScope("a0", true, "", ParentIn(f), 64));
  EXPECT_FALSE(in);
  auto broken = [](const std::string&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("store closed");
  };
  EXPECT_THAT(InAgencyScope("a0", true, "a5", broken, 64),
              StatusIs(absl::StatusCode::kUnavailable));
  // The agency itself needs no lookup.
  ASSERT_OK_AND_ASSIGN(in, InAgencyScope("a5", true, "a5", broken, 64));
  EXPECT_TRUE(in);
}

TEST(AgencyScopeTest, TheWalkStopsAtItsDepth) {
  // A chain c0 <- c1 <- ... <- c9.
  Forest f;
  for (int i = 0; i < 10; ++i) {
    AgencyState state;
    if (i > 0) state.parent_id = absl::StrCat("c", i - 1);
    f.agencies[absl::StrCat("c", i)] = state;
  }
  ASSERT_OK_AND_ASSIGN(bool in,
                       InAgencyScope("c0", true, "c9", ParentIn(f), 9));
  EXPECT_TRUE(in);
  ASSERT_OK_AND_ASSIGN(in, InAgencyScope("c0", true, "c9", ParentIn(f), 8));
  EXPECT_FALSE(in);
}

}  // namespace
}  // namespace ogi
