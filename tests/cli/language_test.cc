// Chinese first, English on request (engine/messages.h): the same command on
// the same store speaks Chinese under LC_ALL=zh_CN.UTF-8 (and with no locale
// at all) and English under LANG=en_US.UTF-8. Runs the real binary, since the
// language is main()'s choice.
#include <fstream>
#include <string>
#include <utility>

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

// Issue 18, finding 11: every command says something in the clerk's
// language: a result, a note, a refusal or its help. Each row runs under
// LANG=zh_CN.UTF-8 and LANG=en_US.UTF-8; {DIR} is a fresh folder per run
// and {LANG} the language's code ("zh" / "en").
TEST_F(LanguageTest, EveryCommandSpeaksBothLanguages) {
  const struct {
    const char* name;
    const char* args;
    const char* zh;
    const char* en;
  } rows[] = {
      {"help", "--help", "选项", "Options"},
      {"help of a flag", "report --help", "年报的年度", "the report's year"},
      {"unknown command", "bogus", "没有子命令“bogus”",
       "unknown command 'bogus'"},
      {"usage error", "report", "命令行有误：--year is required",
       "--year is required"},
      {"import", "import --dry-run {NEW}", "已检查", "checked "},
      {"append",
       R"(append '{"caseId":"N-{LANG}","agencyId":"a","occurredOn":"2024-03-01","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}}')",
       "（案件 N-zh 第1版）", "(case N-en version 1)"},
      {"append refused: unknown case",
       R"(append '{"caseId":"X","agencyId":"a","occurredOn":"2024-03-01","answered":{"outcome":"DISCLOSED"}}')",
       "“answered”被拒绝：案件不存在",
       "case X: 'answered' refused: "
       "unknown case"},
      {"append refused: field",
       R"(append '{"caseId":"Y","agencyId":"a","occurredOn":"2024-03-01","received":{"channel":"ONLINE"}}')",
       "字段 申请人（received.applicant） 为必填项",
       "field 'received.applicant' is required"},
      {"append refused: lifecycle",
       R"(append '{"caseId":"C","agencyId":"a","occurredOn":"2024-11-20","extended":{"workingDays":20}}')",
       "该案件已于2024-11-15办结", "the case was concluded on 2024-11-15"},
      {"export", "export --agency nope", "机关 nope 尚未登记",
       "agency nope is not registered"},
      {"history", "history nope", "案件 nope：案件不存在",
       "case nope: unknown case"},
      {"stats", "stats", "各类事件：", "events by payload:"},
      {"report", "report --year 2024 --agency a --format text", "日志位置",
       "log position"},
      {"cases", "cases --year 2024 --agency a --row disclosed --column total",
       "共 1 件案件", "1 case(s) in"},
      {"check", "check --year 2024 --agency a --on 2024-12-01",
       "警告（合规提示 ANSWERED_LATE）案件 C",
       "warning (compliance ANSWERED_LATE) case C"},
      {"verify", "verify", "已核对", "verified "},
      {"digest", "digest --help", "以 POSITION:HASH 输出头部",
       "print the head as POSITION:HASH"},
      {"reindex", "reindex", "年报索引", "report index"},
      {"erase-personal-data", "erase-personal-data --case nope",
       "案件 nope：案件不存在", "case nope: unknown case"},
      {"backup", "backup {DIR}/b", "已存入", " in "},
      {"deadline", "deadline F --on 2024-06-03", "收到申请", "Received on"},
      {"due", "due --on 2024-06-03", "等待缴费", "waiting for fee"},
      {"fee quote", "fee quote --help", "收费通知应载明的金额",
       "the fee a notice should state"},
      {"gen",
       "gen --agencies 1 --years 2023..2023 --cases-per-year 1 --seed 1 "
       "--out /dev/null",
       "个事件，用时", "events in"},
      {"demo", "demo --help", "建立示例存储", "build the sample store"},
      {"serve", "serve --help", "通过 gRPC 和 HTTP/JSON", "over gRPC and"},
      {"token", "token create --help", "接入系统的名称",
       "the intake system's name"},
      {"client", "client --help", "服务地址", "the service's address"},
      {"completion", "completion --help", "bash（默认）", "bash (the default)"},
  };
  const std::string log = dir_.Sub("new.jsonl");
  {
    std::ofstream out(log);
    out << R"({"agencyId":"b","occurredOn":"2020-01-01","agencyRegistered":{"name":"某委"}})"
        << "\n";
  }
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    for (const char* language : {"zh", "en"}) {
      std::string run_dir = dir_.Sub(absl::StrCat(row.name, "-", language));
      for (char& c : run_dir) {
        if (c == ' ' || c == ':') c = '_';
      }
      std::string args = row.args;
      for (const auto& [from, to] :
           {std::pair<std::string, std::string>{"{DIR}", run_dir},
            {"{NEW}", log},
            {"{LANG}", language}}) {
        for (size_t at = args.find(from); at != std::string::npos;
             at = args.find(from))
          args.replace(at, from.size(), to);
      }
      OgiResult result =
          Run(absl::StrCat("LANG=", language,
                           language[0] == 'z' ? "_CN" : "_US", ".UTF-8"),
              args);
      EXPECT_THAT(result.output,
                  HasSubstr(language[0] == 'z' ? row.zh : row.en))
          << language << ": ogi " << args;
    }
  }
}

// The findings of `ogi check` on a typed table: headings and summary.
TEST_F(LanguageTest, TableCheckSpeaksBothLanguages) {
  const std::string table = dir_.Sub("table.csv");
  {
    std::ofstream out(table);
    out << "section,row,column,value\n"
           "applications,new,natural_person,-1\n";
  }
  OgiResult zh = Run("LANG=zh_CN.UTF-8", absl::StrCat("check --table ", table));
  EXPECT_THAT(zh.output,
              HasSubstr("错误（检查5）applications/new/natural_person："));
  EXPECT_THAT(zh.output, HasSubstr("表格补全前不做检查1至4"));
  OgiResult en = Run("LANG=en_US.UTF-8", absl::StrCat("check --table ", table));
  EXPECT_THAT(en.output,
              HasSubstr("error (check 5) applications/new/natural_person:"));
  EXPECT_THAT(en.output,
              HasSubstr("checks 1-4 skipped until the table is whole"));
}

}  // namespace
}  // namespace ogi
