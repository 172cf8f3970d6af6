// Chinese first for the operator's side too (issue 18, finding 11): ogi
// serve's lines, the token commands, ogi client and the rarer engine errors
// (storage, corruption, the store's format, agency documents, amendments,
// eventIds, imports, backups) speak Chinese under LANG=zh_CN.UTF-8 and
// English under LANG=en_US.UTF-8. Runs the real binary, since the language
// is main()'s choice; damages a store through RocksDB as an outside writer
// would.
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "engine/key_codec.h"
#include "tests/testing/ogi_process.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/temp_dir.h"

namespace ogi {
namespace {

using ::ogi::testing::OgiResult;
using ::ogi::testing::RawDb;
using ::testing::HasSubstr;

const char* Locale(const std::string& language) {
  return language == "zh" ? "LANG=zh_CN.UTF-8" : "LANG=en_US.UTF-8";
}

// `ogi --db DB ARGS` with only LANG set of the locale variables.
OgiResult RunIn(const std::string& language, const std::string& db,
                const std::string& args) {
  return testing::RunOgi(
      absl::StrCat("env -u OGI_LANG -u LC_ALL -u LC_MESSAGES -u LANG ",
                   Locale(language), " ", OGI_BINARY),
      db, args);
}

// Writes `lines` as a file and returns its path.
std::string WriteFile(const std::string& path,
                      std::initializer_list<const char*> lines) {
  std::ofstream out(path);
  for (const char* line : lines) out << line << "\n";
  return path;
}

// A store with agency a, case C (received 2024-09-20, answered 2024-11-15)
// and case O (received, open).
std::string MakeStore(testing::TempDir& dir, const std::string& name) {
  const std::string db = dir.Sub(name);
  const std::string log = WriteFile(
      dir.Sub(name + ".jsonl"),
      {R"({"agencyId":"a","occurredOn":"2020-01-01","agencyRegistered":{"name":"某局"}})",
       R"({"caseId":"C","agencyId":"a","occurredOn":"2024-09-20","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}})",
       R"({"caseId":"C","agencyId":"a","occurredOn":"2024-11-15","answered":{"outcome":"DISCLOSED"}})",
       R"({"caseId":"O","agencyId":"a","occurredOn":"2024-03-01","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"POST"}})"});
  OgiResult imported = RunIn("en", db, absl::StrCat("import ", log));
  EXPECT_EQ(imported.exit_code, 0) << imported.output;
  return db;
}

// Each row runs under LANG=zh_CN.UTF-8, then LANG=en_US.UTF-8, on one store;
// {LANG} in the arguments is the language's code.
TEST(LanguageAdminTest, RefusalsAndResultsSpeakBothLanguages) {
  testing::TempDir dir;
  const std::string db = MakeStore(dir, "db");
  const std::string bad_line =
      WriteFile(dir.Sub("bad.jsonl"), {R"({"caseId":"Z","agencyId":"a"})"});
  const std::string bad_table =
      WriteFile(dir.Sub("table.csv"), {"section,row,value", "x,y,1"});
  const struct {
    const char* name;
    std::string args;
    const char* zh;
    const char* en;
  } rows[] = {
      // ogi token create / list / revoke.
      {"token create", "token create --name p-{LANG} --agency a --scope read",
       "令牌 p-zh：代表机关 a，权限 read；令牌只显示这一次",
       "token p-en: read for agency a; shown this once"},
      {"token create --rollup",
       "token create --name r-{LANG} --agency a --rollup --scope read,report",
       "代表机关 a及其下级机关，权限 read,report",
       "read,report for agency a and the agencies under it"},
      {"token list", "token list", "编号\t名称\t机关\t权限\t创建时间\t吊销时间",
       "id\tname\tagency\tscope\tcreated\trevoked"},
      {"token list subtree", "token list", "a（及下级机关）\tread,report",
       "a (and under)\tread,report"},
      {"token revoke", "token revoke p-{LANG}", "已吊销令牌 p-zh",
       "revoked p-en"},
      {"token revoke unknown", "token revoke nobody",
       "没有名称或编号为 nobody 的有效令牌",
       "no token in force is named or numbered nobody"},
      {"token bad scope", "token create --name x --agency a --scope bogus",
       "没有权限“bogus”", "unknown scope \"bogus\""},
      // ogi serve refuses to start.
      {"serve not loopback", "serve --grpc '' --http 0.0.0.0:0",
       "--http 0.0.0.0:0 不是回环地址",
       "--http 0.0.0.0:0 is not a loopback address"},
      // ogi client's own refusals (before it calls the service).
      {"client cannot read", "client --grpc 127.0.0.1:1 import /nonexistent/x",
       "无法读取 /nonexistent/x", "cannot read /nonexistent/x"},
      {"client bad line", "client --grpc 127.0.0.1:1 append 'nope'", "第1行：",
       "line 1: "},
      // Agency documents.
      {"document refused",
       R"(append '{"agencyId":"a","occurredOn":"2024-03-01","documentRepealed":{"documentId":"D9"}}')",
       "机关 a：“documentRepealed.documentId”被拒绝：本机关没有制发过文件 D9",
       "agency a: 'documentRepealed.documentId' refused: no document D9 was "
       "issued by this agency"},
      // Amendments' dating rule.
      {"amendment dated before the case",
       R"(append '{"caseId":"C","agencyId":"a","occurredOn":"2024-12-01","amended":{"version":2,"reason":"r","occurredOn":"2024-09-01","answered":{"outcome":"DISCLOSED"}}}')",
       "案件 C：“amended”被拒绝：更正后，第2版（answered）的日期将为2024-09-"
       "01，早于第1版（received，2024-09-20）",
       "case C: 'amended' refused: with the correction, version 2 (answered) "
       "would be dated 2024-09-01, before version 1 (received, 2024-09-20)"},
      {"amendment of a missing version",
       R"(append '{"caseId":"C","agencyId":"a","occurredOn":"2024-12-01","amended":{"version":7,"reason":"r","answered":{"outcome":"DISCLOSED"}}}')",
       "该案件没有第7版（当前为第2版）",
       "the case has no version 7 (its version is 2)"},
      // The eventId form.
      {"reserved eventId",
       R"(append '{"eventId":"ogi:x","caseId":"N","agencyId":"a","occurredOn":"2024-03-01","received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE"}}')",
       "字段 eventId 被拒绝：ogi:x 是由引擎分配的编号形式",
       "field 'eventId' refused: ogi:x has the form of an id the engine "
       "assigns"},
      // The JSON codec.
      {"unknown field",
       R"(append '{"caseId":"O","agencyId":"a","occurredOn":"2024-03-05","feePaid":{"amountFen":1},"bogus":1}')",
       "字段 bogus：未知字段", "field 'bogus': unknown field"},
      // The rest of the case lifecycle.
      {"fee paid without a notice",
       R"(append '{"caseId":"O","agencyId":"a","occurredOn":"2024-03-05","feePaid":{"amountFen":100}}')",
       "没有待缴费的收费通知", "no fee notice is outstanding"},
      // Imports.
      {"import of a folder", absl::StrCat("import ", dir.path()),
       "是目录；请给出要导入的 JSON Lines 文件",
       "is a directory; give the JSON Lines file to import"},
      {"import refused", absl::StrCat("import ", bad_line),
       "的导入被拒绝：1 行有误；未写入任何内容",
       "refused: 1 line(s) in error; nothing was written"},
      // The typed table of ogi check --table.
      {"table header", absl::StrCat("check --table ", bad_table),
       "第1行：表头为“section,row,value”，应为“section,row,column,value”",
       "line 1: header is 'section,row,value', want "
       "'section,row,column,value'"},
      // Backups and digests.
      {"restore into a store", "restore /nonexistent/b",
       "不是空目录：只能恢复到新目录",
       "is not empty: restore only into a new directory"},
      {"digest of another log",
       absl::StrCat("verify --digest 1:", std::string(64, '0')),
       "位置 1：日志的哈希", "position 1: the log's hash"},
      {"digest beyond the head",
       absl::StrCat("verify --digest 99:", std::string(64, '0')),
       "摘要的位置 99 超出了本日志的头部（位置 4）",
       "the digest's position 99 is beyond the head of this log (position 4)"},
      // The cases behind a cell, and the report index's refusals.
      {"cases of an unknown row",
       "cases --year 2024 --agency a --row nope --column total",
       "未知的行代码“nope”", "unknown row \"nope\""},
      {"cases of an unknown column",
       "cases --year 2024 --agency a --row new --column nope",
       "未知的列代码“nope”", "unknown column \"nope\""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    for (const std::string language : {"zh", "en"}) {
      std::string args = row.args;
      for (size_t at = args.find("{LANG}"); at != std::string::npos;
           at = args.find("{LANG}"))
        args.replace(at, 6, language);
      OgiResult result = RunIn(language, db, args);
      EXPECT_THAT(result.output, HasSubstr(language == "zh" ? row.zh : row.en))
          << language << ": ogi " << args;
    }
  }
}

// `ogi serve` under `language`: its first line, what `ogi client health` and
// `ogi client append` print against it, and its lines after SIGTERM.
struct ServeRun {
  std::string first_line;
  std::string health;
  std::string refused;
  std::string rest;
  int exit_code = -1;
};

ServeRun RunServe(const std::string& language, const std::string& db) {
  ServeRun run;
  int fds[2];
  if (pipe(fds) != 0) return run;
  const pid_t pid = fork();
  if (pid < 0) return run;
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    for (const char* variable : {"OGI_LANG", "LC_ALL", "LC_MESSAGES"})
      unsetenv(variable);
    setenv("LANG", language == "zh" ? "zh_CN.UTF-8" : "en_US.UTF-8", 1);
    execl(OGI_BINARY, OGI_BINARY, "--db", db.c_str(), "serve", "--grpc",
          "127.0.0.1:0", "--http", "", nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  // The first line is printed once the listener is bound.
  while (text.find('\n') == std::string::npos) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) break;
    char buffer[512];
    const ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  run.first_line = text.substr(0, text.find('\n'));
  text.erase(0, run.first_line.size() + 1);
  // The gRPC port is the first 127.0.0.1:PORT of the line.
  int port = 0;
  if (size_t at = run.first_line.find("127.0.0.1:"); at != std::string::npos) {
    std::string digits;
    for (size_t i = at + 10;
         i < run.first_line.size() && std::isdigit(run.first_line[i]); ++i)
      digits += run.first_line[i];
    (void)absl::SimpleAtoi(digits, &port);
  }
  if (port != 0) {
    const std::string client = absl::StrCat("client --grpc 127.0.0.1:", port);
    run.health = RunIn(language, db, client + " health").output;
    // No token: the service's refusal is protocol text, the same in both.
    run.refused = RunIn(language, db, client + " case C").output;
  }
  kill(pid, SIGTERM);
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0)
    text.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.rest = text;
  return run;
}

TEST(LanguageAdminTest, ServeAndClientSpeakBothLanguages) {
  testing::TempDir dir;
  const std::string db = MakeStore(dir, "db");
  ServeRun zh = RunServe("zh", db);
  EXPECT_THAT(zh.first_line, HasSubstr(absl::StrCat("正在服务 ", db,
                                                    "：gRPC 监听 127.0.0.1:")));
  EXPECT_THAT(zh.first_line, HasSubstr("HTTP 监听 未开启（进程号 "));
  EXPECT_THAT(zh.health, HasSubstr("SERVING，日志位置 4"));
  EXPECT_THAT(zh.refused, HasSubstr("the token is missing"));
  EXPECT_THAT(zh.rest,
              HasSubstr("ogi serve：收到 SIGTERM：正在完成进行中的追加"));
  EXPECT_THAT(zh.rest, HasSubstr("ogi serve：已停止，日志位置 4"));
  EXPECT_EQ(zh.exit_code, 0) << zh.rest;

  ServeRun en = RunServe("en", db);
  EXPECT_THAT(en.first_line,
              HasSubstr(absl::StrCat("serving ", db, ": gRPC on 127.0.0.1:")));
  EXPECT_THAT(en.first_line, HasSubstr("HTTP on off (pid "));
  EXPECT_THAT(en.health, HasSubstr("SERVING at position 4"));
  EXPECT_THAT(en.refused, HasSubstr("the token is missing"));
  EXPECT_THAT(en.rest,
              HasSubstr("ogi serve: SIGTERM: draining appends in flight"));
  EXPECT_THAT(en.rest, HasSubstr("ogi serve: stopped at position 4"));
  EXPECT_EQ(en.exit_code, 0) << en.rest;
}

// Storage, corruption and format errors, on stores damaged from outside.
TEST(LanguageAdminTest, StoreErrorsSpeakBothLanguages) {
  testing::TempDir dir;
  // A RocksDB directory whose CURRENT file names no manifest: RocksDB's own
  // words, in a translated sentence.
  const std::string broken = dir.Sub("broken");
  std::filesystem::create_directories(broken);
  WriteFile(broken + "/CURRENT", {"MANIFEST-000099"});
  // A store whose event at position 2 is garbage.
  const std::string damaged = MakeStore(dir, "damaged");
  {
    RawDb raw(damaged);
    ASSERT_TRUE(raw.ok());
    raw.Put(RawDb::kLog, EncodePosition(2), std::string(64, '\xa5'));
  }
  // A store of a format this ogi does not know, and one of format 1.
  const std::string future = MakeStore(dir, "future");
  {
    RawDb raw(future);
    ASSERT_TRUE(raw.ok());
    raw.Put(RawDb::kDefault, kFormatKey, "ogi-store-9");
  }
  const std::string old = MakeStore(dir, "old");
  {
    RawDb raw(old);
    ASSERT_TRUE(raw.ok());
    raw.Put(RawDb::kDefault, kFormatKey, kFormatUnscopedEventIds);
  }
  const struct {
    const char* name;
    std::string db;
    const char* args;
    const char* zh;
    const char* en;
  } rows[] = {
      {"storage", broken, "stats", "存储读写失败（", "MANIFEST-000099"},
      {"corruption", damaged, "history C", "存储的事件格式 165 无法识别",
       "stored event has unknown format 165"},
      {"corruption found by verify", damaged, "verify", "位置 2：",
       "position 2: "},
      {"format", future, "stats",
       "不是格式 ogi-store-2 或 ogi-store-1 的 ogi 存储",
       "is not an ogi store of format ogi-store-2 or ogi-store-1"},
      {"format 1 read", old, "verify",
       "为格式 ogi-store-1（eventId "
       "尚未按机关分域）：以写入方式打开一次即可升级",
       "is of format ogi-store-1 (eventIds not yet scoped by agency)"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    for (const std::string language : {"zh", "en"}) {
      OgiResult result = RunIn(language, row.db, row.args);
      EXPECT_NE(result.exit_code, 0) << result.output;
      EXPECT_THAT(result.output, HasSubstr(language == "zh" ? row.zh : row.en))
          << language << ": ogi " << row.args;
    }
  }
}

// A token file damaged by hand is named with its line, in both languages.
TEST(LanguageAdminTest, DamagedTokenFileSpeaksBothLanguages) {
  testing::TempDir dir;
  const std::string db = MakeStore(dir, "db");
  WriteFile(db + "/ogi-tokens", {"not a token line"});
  OgiResult zh = RunIn("zh", db, "token list");
  EXPECT_THAT(zh.output,
              HasSubstr("ogi-tokens 第1行：应为8个以制表符分隔的字段"));
  OgiResult en = RunIn("en", db, "token list");
  EXPECT_THAT(en.output,
              HasSubstr("ogi-tokens:1: expected 8 tab-separated fields"));
}

}  // namespace
}  // namespace ogi
