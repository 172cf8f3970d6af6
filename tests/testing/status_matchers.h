// gMock matchers and assertions for absl::Status and absl::StatusOr.
#ifndef OGI_TESTS_TESTING_STATUS_MATCHERS_H_
#define OGI_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ogi::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// Matches a Status or StatusOr whose code is `code`.
MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code;
}

// Matches a Status or StatusOr whose code is `code` and whose message contains
// `substring`.
MATCHER_P2(StatusIs, code, substring,
           "has status code " + absl::StatusCodeToString(code) +
               " and a message containing \"" + std::string(substring) + "\"") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code &&
         std::string(status.message()).find(substring) != std::string::npos;
}

}  // namespace ogi::testing

#define OGI_TESTING_CONCAT_INNER_(a, b) a##b
#define OGI_TESTING_CONCAT_(a, b) OGI_TESTING_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr)                             \
  ASSERT_TRUE(::ogi::testing::GetStatus(expr).ok()) \
      << ::ogi::testing::GetStatus(expr)
#define EXPECT_OK(expr)                             \
  EXPECT_TRUE(::ogi::testing::GetStatus(expr).ok()) \
      << ::ogi::testing::GetStatus(expr)

// Asserts that `rexpr` (a StatusOr) is OK and moves its value into `lhs`, which
// may be a declaration.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                   \
  ASSERT_OK_AND_ASSIGN_IMPL_(OGI_TESTING_CONCAT_(ogi_statusor_, __LINE__), \
                             lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();       \
  lhs = std::move(*statusor)

#endif  // OGI_TESTS_TESTING_STATUS_MATCHERS_H_
