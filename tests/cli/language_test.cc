// Chinese first, English on request (engine/messages.h): the same command on
// the same store speaks Chinese under LC_ALL=zh_CN.UTF-8 (and with no locale
// at all) and English under LANG=en_US.UTF-8. Runs the real binary, since the
// language is main()'s choice.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/ogi_process.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::OgiResult;
using ::testing::HasSubstr;
using ::testing::Not;

class LanguageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    const char* events[] = {
        R"({"agencyId":"a","occurredOn":"2020-01-01","agencyRegistered":{"name":"某局"}})",
        // C: answered late (due 2024-10-23 on the built-in calendar).
        R"({"caseId":"C","agencyId":"a","occurredOn":"2024-09-20","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})",
        R"({"caseId":"C","agencyId":"a","occurredOn":"2024-11-15","answered":{"outcome":"DISCLOSED"}})",
        // F: a fee notice never paid.
        R"({"caseId":"F","agencyId":"a","occurredOn":"2024-03-01","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"POST"}})",
        R"({"caseId":"F","agencyId":"a","occurredOn":"2024-03-05","feeNoticed":{"method":"PER_APPLICATION","amountFen":10000}})",
    };
    const std::string log = dir_.Sub("events.jsonl");
    {
      std::ofstream out(log);
      for (const char* e : events) out << e << "\n";
    }
    OgiResult imported = Run("LANG=en_US.UTF-8", absl::StrCat("import ", log));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }

  // `ogi ARGS` with only the locale variables in `locale` set.
  OgiResult Run(const std::string& locale, const std::string& args) {
    return testing::RunOgi(
        absl::StrCat("env -u OGI_LANG -u LC_ALL -u LC_MESSAGES -u LANG ",
                     locale, " ", OGI_BINARY),
        db_, args);
  }

  testing::TempDir dir_;
  std::string db_;
};

TEST_F(LanguageTest, HistorySpeaksTheLocalesLanguage) {
  for (const char* locale : {"LC_ALL=zh_CN.UTF-8", ""}) {
    OgiResult zh = Run(locale, "history C --on 2024-12-01");
    ASSERT_EQ(zh.exit_code, 0) << zh.output;
    EXPECT_THAT(zh.output, HasSubstr("案件 C · 机关 a · 共2个事件"));
    EXPECT_THAT(zh.output, HasSubstr("收到申请"));
    EXPECT_THAT(zh.output, HasSubstr("申请人类型: 自然人 · 申请渠道: 网络"));
    EXPECT_THAT(zh.output, HasSubstr("答复结果: 予以公开"));
    EXPECT_THAT(
        zh.output,
        HasSubstr(
            "提示 ANSWERED_LATE：2024-11-15办结，晚于答复期限2024-10-23。"));
    EXPECT_THAT(zh.output, Not(HasSubstr("DISCLOSED")));
  }
  OgiResult en = Run("LANG=en_US.UTF-8", "history C --on 2024-12-01");
  ASSERT_EQ(en.exit_code, 0) << en.output;
  EXPECT_THAT(en.output, HasSubstr("case C · agency a · 2 events"));
  EXPECT_THAT(en.output, HasSubstr("application received"));
  EXPECT_THAT(en.output, HasSubstr("outcome: DISCLOSED"));
  EXPECT_THAT(en.output,
              HasSubstr("flag ANSWERED_LATE: Concluded on 2024-11-15, after "
                        "the due date 2024-10-23."));
  // LC_ALL outranks LANG, OGI_LANG the locale.
  OgiResult both = Run("LANG=en_US.UTF-8 LC_ALL=zh_CN.UTF-8", "history C");
  EXPECT_THAT(both.output, HasSubstr("答复结果: 予以公开"));
  OgiResult ogi = Run("LC_ALL=zh_CN.UTF-8 OGI_LANG=en", "history C");
  EXPECT_THAT(ogi.output, HasSubstr("outcome: DISCLOSED"));
}

TEST_F(LanguageTest, DeadlineDerivationSpeaksTheLocalesLanguage) {
  OgiResult zh = Run("LANG=zh_CN.UTF-8", "deadline F --on 2024-06-03");
  ASSERT_EQ(zh.exit_code, 0) << zh.output;
  EXPECT_THAT(zh.output,
              HasSubstr("2024-03-01收到申请：当日为第0日，不计入期限"));
  EXPECT_THAT(zh.output,
              HasSubstr("本案可按“其他处理：申请人逾期未按收费通知要求缴纳费用”"
                        "办结"));
  OgiResult en = Run("LANG=en_US.UTF-8", "deadline F --on 2024-06-03");
  ASSERT_EQ(en.exit_code, 0) << en.output;
  EXPECT_THAT(en.output, HasSubstr("Received on 2024-03-01: day 0"));
  EXPECT_THAT(en.output,
              HasSubstr("the case may be concluded as OTHER_FEE_UNPAID."));
}

TEST_F(LanguageTest, DueListSpeaksTheLocalesLanguage) {
  OgiResult zh = Run("LC_ALL=zh_CN.UTF-8", "due --on 2024-06-03");
  ASSERT_EQ(zh.exit_code, 0) << zh.output;
  EXPECT_THAT(zh.output, HasSubstr("（截至2024-06-03，共1件）"));
  EXPECT_THAT(zh.output,
              HasSubstr("可按“其他处理：申请人逾期未按收费通知要求缴纳费"
                        "用”办结"));
  EXPECT_THAT(zh.output, HasSubstr("等待缴费"));
  OgiResult en = Run("LANG=en_US.UTF-8", "due --on 2024-06-03");
  ASSERT_EQ(en.exit_code, 0) << en.output;
  EXPECT_THAT(en.output, HasSubstr("(as of 2024-06-03, 1 case(s) listed)"));
  EXPECT_THAT(en.output, HasSubstr("may be concluded as OTHER_FEE_UNPAID"));
  EXPECT_THAT(en.output, HasSubstr("waiting for fee"));
  // Scripts read codes, whatever the language.
  OgiResult json =
      Run("LC_ALL=zh_CN.UTF-8", "due --on 2024-06-03 --format json");
  EXPECT_THAT(json.output, HasSubstr(R"("lapseOutcome":"OTHER_FEE_UNPAID")"));
}

}  // namespace
}  // namespace ogi
