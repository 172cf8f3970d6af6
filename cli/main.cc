// The `ogi` command: flags and dispatch only. The commands themselves are in
// commands.h.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cli/client_command.h"
#include "cli/commands.h"
#include "cli/serve_command.h"
#include "cli/store_access.h"

#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/messages.h"

namespace {

std::string DefaultDb() {
  const char* env = std::getenv("OGI_DB");
  return env != nullptr && *env != '\0' ? env : "./ogi-data";
}

ogi::OutputFormat ParseFormat(const std::string& text) {
  return text == "json" ? ogi::OutputFormat::kJson : ogi::OutputFormat::kText;
}

// Set by SIGINT/SIGTERM during an import, which then stops with nothing
// written (a signal handler can only reach a global).
std::atomic<bool> import_interrupted{false};

void OnImportInterrupt(int) { import_interrupted = true; }

int Fail(const absl::Status& status) {
  std::cerr << "ogi: " << status.message() << "\n";
  return 1;
}

// CLI11 reports a missing sub-command or required option before an unknown
// one, so `ogi bogus` said "A subcommand is required" and `ogi report --bogus`
// "--year is required". Returns the message naming the first unknown command
// or option of `argv`, if there is one, so that it is said first.
std::optional<std::string> UnknownArgument(CLI::App& app, int argc,
                                           char** argv) {
  CLI::App* at = &app;
  std::string path = "ogi";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      const std::string name = arg.substr(0, arg.find('='));
      if (name == "--help" || name == "-h") return std::nullopt;
      const CLI::Option* option = nullptr;
      for (CLI::App* a = at; a != nullptr && option == nullptr;
           a = a->get_parent()) {
        option = a->get_option_no_throw(name);
      }
      if (option == nullptr) {
        return absl::StrCat("unknown option ", name, " of '", path, "' (", path,
                            " --help lists them)");
      }
      // A flag takes no value; an option takes the next word unless given
      // as --name=value.
      if (option->get_items_expected_max() > 0 && arg.find('=') == arg.npos)
        ++i;
      continue;
    }
    const std::vector<CLI::App*> sub = at->get_subcommands(
        [&](const CLI::App* s) { return s->check_name(arg); });
    if (!sub.empty()) {
      at = sub.front();
      path = absl::StrCat(path, " ", arg);
      continue;
    }
    if (!at->get_options([](const CLI::Option* o) {
             return o->get_positional();
           }).empty()) {
      continue;  // a value of the command's positional arguments
    }
    return absl::StrCat("unknown command '", arg, "' of '", path, "' (", path,
                        " --help lists them)");
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil is built with Mutex deadlock detection on, which records
  // every lock order in a global graph: 4-5x the cost of a nested lock. The
  // tests keep it (they are where a lock-order bug would show); the command
  // turns it off, as an NDEBUG build of Abseil would.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // The store holds applicants' personal data and the token hashes: every
  // file and folder ogi creates (store, backups, tokens, indexes) is the
  // owner's alone, 0600 / 0700 (docs/SERVE.md, Security).
  umask(077);
  // One language per process, like the calendar and the clock: Chinese
  // unless LC_ALL / LC_MESSAGES / LANG ask for English (engine/messages.h).
  ogi::SetProcessLanguage(ogi::LanguageFromEnvironment());
  CLI::App app{
      "ogi: the event-sourced case log for government information-disclosure "
      "applications"};
  app.require_subcommand(1);
  std::string db = DefaultDb();
  app.add_option("--db", db,
                 "store directory (default: $OGI_DB, else ./ogi-data)");

  ogi::ImportOptions import_options;
  auto* import = app.add_subcommand(
      "import", "validate a JSON Lines file, then append it (all or nothing)");
  import
      ->add_option("file", import_options.path,
                   "JSON Lines file, or - for standard input")
      ->required();
  size_t import_batch = 0;
  import
      ->add_option("--batch", import_batch,
                   "ignored: an import is one atomic step")
      ->check(CLI::Range(1, 1000000));
  bool import_dry_run = false, import_quiet = false;
  std::string import_format = "text";
  import->add_flag("--dry-run", import_dry_run,
                   "check the file only; write nothing");
  import->add_flag("--quiet", import_quiet, "no progress, no summary");
  import->add_option("--format", import_format, "summary: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  import
      ->add_option("--max-errors", import_options.max_errors,
                   "refused lines to print before stopping")
      ->check(CLI::Range(1, 1000000));

  std::string append_json;
  std::optional<uint32_t> expected_version;
  auto* append = app.add_subcommand(
      "append", "append one event (JSON as argument or on standard input)");
  append->add_option(
      "event", append_json,
      "the event as one JSON object (default: read standard input)");
  append->add_option("--expected-version", expected_version,
                     "the stream's version before this event (0: new)");

  ogi::ExportOptions export_options;
  auto* export_cmd =
      app.add_subcommand("export", "write stored events as JSON Lines");
  export_cmd->add_option("--case", export_options.case_id, "only this case");
  export_cmd->add_option("--agency", export_options.agency_id,
                         "only this agency and its cases");

  // --calendar and --on: how the commands that judge deadlines (history,
  // report --extras, check, deadline, due) choose the process's one calendar
  // and "today".
  std::string calendar_path;
  std::string on_date;
  auto add_calendar = [&](CLI::App* sub) {
    sub->add_option("--calendar", calendar_path,
                    "more calendar years: a file or a directory of *.txt "
                    "(default: <db>/calendar if it exists; docs/DEADLINES.md)");
    sub->add_option("--on", on_date,
                    "the day to judge deadlines from, YYYY-MM-DD (default: "
                    "today in Asia/Shanghai)");
  };

  std::string history_case;
  std::string history_format = "text";
  bool show_personal_data = false;
  auto* history = app.add_subcommand(
      "history", "a case's timeline, amendments beside what they correct");
  history->add_option("case", history_case, "case id")->required();
  history->add_option("--format", history_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  history->add_flag("--show-personal-data", show_personal_data,
                    "show applicant name, ID number and contact");
  add_calendar(history);

  std::string stats_format = "text";
  auto* stats = app.add_subcommand(
      "stats", "events, cases, agencies, head, size on disk");
  stats->add_option("--format", stats_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  // Options shared by report, cases and check.
  int year = 0;
  std::string agency;
  bool rollup = false;
  std::string as_of;
  auto add_scope = [&](CLI::App* sub) {
    sub->add_option("--year", year, "the report's year")->required();
    sub->add_option("--agency", agency,
                    "agency id (default: the store's only root agency)");
    sub->add_flag("--rollup", rollup, "the agency and everything below it");
    sub->add_option("--as-of", as_of,
                    "only events recorded by this RFC 3339 instant, e.g. "
                    "2024-01-12T00:00:00Z");
  };

  std::string report_format;
  std::string output;
  bool document = false;
  std::string document_date;
  auto* report = app.add_subcommand(
      "report", "the annual report of a year, or the whole document");
  add_scope(report);
  bool extras = false;
  report->add_flag("--extras", extras,
                   "add on-time rate, working days to conclusion (median, "
                   "90th percentile), late answers and open cases past due, "
                   "by channel and applicant category");
  report
      ->add_option("--format", report_format,
                   "text, csv, json, md or html (default: text on a "
                   "terminal, else csv; html for --document)")
      ->check(CLI::IsMember({"text", "csv", "json", "md", "html"}));
  report->add_option("--output", output, "write to this file");
  report->add_flag("--document", document,
                   "the whole report: title, six parts, tables, narrative");
  report->add_option("--date", document_date,
                     "the document's date YYYY-MM-DD (required with "
                     "--document)");
  bool document_strict = false;
  report->add_flag("--strict", document_strict,
                   "--document: refuse (exit non-zero) if a part is missing "
                   "or contradicts the figures");
  add_calendar(report);

  std::string cell_row, cell_column;
  auto* cases = app.add_subcommand(
      "cases", "the cases behind one cell of part 三 or part 四");
  add_scope(cases);
  cases
      ->add_option("--row", cell_row,
                   "row code (e.g. carried_out) or appeal group code (e.g. "
                   "reconsideration)")
      ->required();
  cases
      ->add_option("--column", cell_column,
                   "column code (e.g. natural_person, total, pending)")
      ->required();

  std::string check_table;
  auto* check = app.add_subcommand(
      "check", "the report's consistency checks, or a typed table's");
  check->add_option("--year", year, "the report's year");
  check->add_option("--agency", agency,
                    "agency id (default: the store's only root agency)");
  check->add_flag("--rollup", rollup, "the agency and everything below it");
  check->add_option("--as-of", as_of, "only events recorded by this instant");
  check->add_option("--table", check_table,
                    "check this CSV table (the report's CSV contract) instead");
  add_calendar(check);

  ogi::VerifyOptions verify_options;
  std::string verify_digest;
  auto* verify = app.add_subcommand(
      "verify",
      "check the log's chain, positions and indexes (and a published digest)");
  verify->add_option("--from", verify_options.from,
                     "first position to check (default 1: the whole log)");
  verify->add_option("--digest", verify_digest,
                     "POSITION:HASH, e.g. from a published report: prove the "
                     "log still extends it");
  auto* digest = app.add_subcommand(
      "digest", "print the head as POSITION:HASH (the log up to it)");
  auto* reindex = app.add_subcommand(
      "reindex",
      "bring the report index file up to the head of the log and save it "
      "(the one command that writes it besides ogi serve)");

  ogi::EraseOptions erase_options;
  auto* erase = app.add_subcommand(
      "erase-personal-data",
      "destroy the key of an applicant's personal data (name, ID number, "
      "contact); the log, its chain and every report stay as they are");
  erase->add_option("--case", erase_options.case_id, "the case's applicant");
  erase->add_option("--applicant", erase_options.applicant,
                    "every case whose applicant has this ID number (or, "
                    "without one, this name)");
  erase->add_option("--reason", erase_options.reason,
                    "why, recorded in the event (e.g. the request's number)");
  erase->add_option("--actor", erase_options.actor,
                    "who erases it, recorded in the event");

  std::string backup_dest;
  bool backup_list = false;
  uint32_t backup_keep = 0;
  auto* backup = app.add_subcommand(
      "backup",
      "copy the store into a backup directory while appends go on (also "
      "while ogi serve runs)");
  backup
      ->add_option("dest", backup_dest, "backup directory (created if missing)")
      ->required();
  backup->add_flag("--list", backup_list,
                   "list the backups in DEST instead (id, time, head)");
  backup->add_option("--keep", backup_keep,
                     "then delete all but the N newest backups in DEST");
  std::string restore_src;
  uint32_t restore_id = 0;
  auto* restore = app.add_subcommand(
      "restore",
      "restore a backup (the latest by default) into a new --db directory, "
      "then verify it");
  restore->add_option("src", restore_src, "backup directory")->required();
  restore->add_option("--backup-id", restore_id,
                      "the backup to restore (ogi backup DEST --list)");

  std::string deadline_case;
  std::string deadline_format = "text";
  auto* deadline = app.add_subcommand(
      "deadline", "a case's due date, how it was computed, and its flags");
  deadline->add_option("case", deadline_case, "case id")->required();
  deadline->add_option("--format", deadline_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  add_calendar(deadline);
  ogi::DueOptions due_options;
  auto* due = app.add_subcommand(
      "due", "the open cases by due date: the daily work list");
  due->add_option("--agency", due_options.agency_id, "agency id");
  due->add_flag("--rollup", due_options.rollup,
                "the agency and everything below it");
  due->add_option("--within", due_options.within,
                  "only cases due within N working days, and those overdue");
  add_calendar(due);
  auto* fee = app.add_subcommand("fee", "information-processing fees");
  fee->require_subcommand(1);
  std::string fee_case;
  std::string fee_method;
  int64_t fee_pages = 0;
  auto* fee_quote = fee->add_subcommand(
      "quote", "the fee a notice should state, and how it is computed");
  fee_quote->add_option("--case", fee_case, "case id")->required();
  fee_quote->add_option("--method", fee_method, "per-application or per-page")
      ->required()
      ->check(CLI::IsMember({"per-application", "per-page"}));
  CLI::Option* fee_pages_given = fee_quote->add_option(
      "--pages", fee_pages, "pages provided (required for per-page)");

  ogi::GenOptions gen_options;
  std::string gen_years = "2020..2024";
  std::string gen_out;
  auto* gen = app.add_subcommand(
      "gen",
      "write a deterministic, realistic generated log as JSON Lines "
      "(streams; no store is opened)");
  gen->add_option("--agencies", gen_options.agencies,
                  "agencies, in a tree under one root government")
      ->check(CLI::Range(1, 100000));
  gen->add_option("--years", gen_years, "FIRST..LAST, e.g. 2020..2024");
  gen->add_option("--cases-per-year", gen_options.cases_per_year,
                  "applications per year over all agencies")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  gen->add_option("--seed", gen_options.seed, "random seed");
  gen->add_option("--out", gen_out, "output file (default: standard output)");

  auto* demo = app.add_subcommand(
      "demo",
      "build the sample store (the seed agency and a generated city) "
      "and print reports");

  ogi::ServeOptions serve_options;
  auto* serve = app.add_subcommand(
      "serve",
      "serve the store to intake systems over gRPC and HTTP/JSON until "
      "SIGTERM (docs/SERVE.md)");
  serve
      ->add_option("--grpc", serve_options.server.grpc_address,
                   "gRPC address HOST:PORT (port 0: any free; \"\": off)")
      ->capture_default_str();
  serve
      ->add_option("--http", serve_options.server.http_address,
                   "HTTP address HOST:PORT (port 0: any free; \"\": off)")
      ->capture_default_str();
  serve->add_option("--tls-cert", serve_options.server.tls_cert,
                    "PEM certificate chain: TLS on both protocols");
  serve->add_option("--tls-key", serve_options.server.tls_key,
                    "PEM private key of --tls-cert");
  serve->add_flag_function(
      "--insecure-plaintext",
      [&serve_options](int64_t) {
        serve_options.server.plaintext =
            ogi::ServerOptions::Plaintext::kAllowed;
      },
      "allow a non-loopback address without TLS (behind a TLS proxy)");
  serve->add_option(
      "--calendar", calendar_path,
      "more calendar years for deadlines (default: <db>/calendar)");

  auto* token = app.add_subcommand(
      "token", "the intake systems' credentials for ogi serve");
  token->require_subcommand(1);
  std::string token_name, token_agency, token_scope = "append,read,report";
  bool token_rollup = false;
  auto* token_create = token->add_subcommand(
      "create", "create a token; it is printed once, on the last line");
  token_create->add_option("--name", token_name, "the intake system's name")
      ->required();
  token_create->add_option("--agency", token_agency, "the agency it acts for")
      ->required();
  token_create->add_flag("--rollup", token_rollup,
                         "and for every agency under it");
  token_create
      ->add_option("--scope", token_scope,
                   "operations: append, read, report, personal, erase")
      ->capture_default_str();
  auto* token_list = token->add_subcommand("list", "list the tokens");
  std::string token_revoke_name;
  auto* token_revoke =
      token->add_subcommand("revoke", "revoke a token, by name or id");
  token_revoke->add_option("token", token_revoke_name, "name or id")
      ->required();

  ogi::ClientOptions client_options;
  ogi::ClientRequest client_request;
  if (const char* env = std::getenv("OGI_TOKEN")) client_options.token = env;
  auto* client = app.add_subcommand(
      "client", "call a running ogi serve over gRPC (docs/SERVE.md)");
  client->require_subcommand(1);
  client->add_option("--grpc", client_options.address, "the service's address")
      ->capture_default_str();
  client->add_option("--token", client_options.token,
                     "the system's token (default: $OGI_TOKEN)");
  client->add_option("--ca-cert", client_options.ca_cert,
                     "PEM file to trust: connect with TLS");
  auto* client_append =
      client->add_subcommand("append", "append events atomically");
  client_append->add_option("events", client_request.input,
                            "one JSON event or JSON Lines (default: stdin)");
  auto* client_import = client->add_subcommand(
      "import", "import a JSON Lines file, all or nothing");
  client_import->add_option("file", client_request.input, "file, or -")
      ->required();
  auto* client_case =
      client->add_subcommand("case", "a case's events as JSON Lines");
  client_case->add_option("case", client_request.case_id)->required();
  auto* client_subscribe = client->add_subcommand(
      "subscribe", "the log from a position as JSON Lines");
  client_subscribe->add_option("--from", client_request.from, "position");
  client_subscribe->add_flag("--follow", client_request.follow,
                             "stay live after the catch-up");
  auto* client_report = client->add_subcommand("report", "a year's report");
  client_report->add_option("--agency", client_request.agency_id)->required();
  client_report->add_option("--year", client_request.year)->required();
  client_report->add_flag("--rollup", client_request.rollup);
  client_report->add_option("--format", client_request.format,
                            "text, csv, json, md or html");
  auto* client_deadline =
      client->add_subcommand("deadline", "a case's deadline as JSON");
  client_deadline->add_option("case", client_request.case_id)->required();
  client_deadline->add_option("--on", client_request.on, "YYYY-MM-DD");
  auto* client_health = client->add_subcommand("health", "is it serving");

  for (auto* sub : {import, append,       export_cmd, history,      stats,
                    report, cases,        check,      verify,       digest,
                    erase,  backup,       restore,    deadline,     due,
                    fee,    fee_quote,    gen,        demo,         serve,
                    token,  token_create, token_list, token_revoke, reindex}) {
    sub->add_option("--db", db,
                    "store directory (default: $OGI_DB, else ./ogi-data)");
  }

  app.set_version_flag("--version", "ogi (event log format 1)");
  // `ogi help` (after any --db DIR) is `ogi --help`.
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--db") {
      ++i;
    } else if (arg == "help") {
      std::cout << app.help();
      return 0;
    } else if (!absl::StartsWith(arg, "-")) {
      break;
    }
  }
  if (std::optional<std::string> unknown = UnknownArgument(app, argc, argv)) {
    std::cerr << "ogi: " << *unknown << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  // The process's one clock and, for the commands that judge deadlines, its
  // one calendar and "today", chosen here once.
  ogi::Clock& clock = ogi::SystemClock();
  ogi::Judge judge;
  judge.clock_day = ogi::AgencyDay(clock.Now());
  judge.today = judge.clock_day;
  if (!on_date.empty()) {
    auto day = ogi::ParseCivilDay(on_date);
    if (!day.ok()) return Fail(day.status());
    judge.today = *day;
  }
  absl::StatusOr<ogi::Calendar> calendar =
      ogi::Calendar::ForStore(db, calendar_path);
  if (!calendar.ok()) return Fail(calendar.status());
  judge.calendar = &*calendar;

  if (*check && !check_table.empty()) {
    const absl::Status checked = ogi::CheckTableCommand(check_table, std::cout);
    return checked.ok() ? 0 : Fail(checked);
  }
  if (*check && year == 0) {
    return Fail(absl::InvalidArgumentError("check needs --year or --table"));
  }
  ogi::ReportRequest request;
  request.year = year;
  request.agency_id = agency;
  request.scope = rollup ? ogi::Scope::kRollup : ogi::Scope::kAgency;
  if (!as_of.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, as_of, &request.as_of, &error)) {
      return Fail(absl::InvalidArgumentError(
          "--as-of must be an RFC 3339 instant such as 2024-01-12T00:00:00Z"));
    }
  }

  if (*gen) {
    absl::Status parsed = ogi::ParseYears(gen_years, gen_options);
    if (!parsed.ok()) return Fail(parsed);
    const absl::Time start = absl::Now();
    auto events = ogi::GenCommand(gen_options, gen_out, std::cout);
    if (!events.ok()) return Fail(events.status());
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    std::cerr << "ogi gen: " << *events << " events in " << seconds << " s ("
              << static_cast<uint64_t>(*events / std::max(seconds, 1e-9))
              << " events/s)\n";
    return 0;
  }
  if (*restore) {
    const absl::Status restored =
        ogi::RestoreCommand(restore_src, db, restore_id, std::cout);
    return restored.ok() ? 0 : Fail(restored);
  }

  if (*client) {
    using ogi::ClientCall;
    client_request.call = *client_append      ? ClientCall::kAppend
                          : *client_import    ? ClientCall::kImport
                          : *client_case      ? ClientCall::kCase
                          : *client_subscribe ? ClientCall::kSubscribe
                          : *client_report    ? ClientCall::kReport
                          : *client_deadline  ? ClientCall::kDeadline
                                              : ClientCall::kHealth;
    (void)client_health;  // the default call
    const absl::Status called =
        ogi::ClientCommand(client_options, client_request, std::cout);
    return called.ok() ? 0 : Fail(called);
  }
  if (*serve) {
    serve_options.db = db;
    serve_options.calendar = judge.calendar;
    serve_options.clock = &clock;
    const absl::Status served = ogi::ServeCommand(serve_options, std::cout);
    return served.ok() ? 0 : Fail(served);
  }
  if (*token) {
    if ((*token_list || *token_revoke) && !ogi::EventStore::Exists(db) &&
        !std::filesystem::exists(ogi::TokenFilePath(db))) {
      return Fail(ogi::NoStoreError(db));
    }
    absl::Status done;
    if (*token_create) {
      done = ogi::TokenCreateCommand(
          db, token_name, token_agency,
          token_rollup ? ogi::TokenReach::kSubtree : ogi::TokenReach::kAgency,
          token_scope, clock.Now(), std::cout);
    } else if (*token_list) {
      done = ogi::TokenListCommand(db, std::cout);
    } else {
      done = ogi::TokenRevokeCommand(db, token_revoke_name, clock.Now(),
                                     std::cout);
    }
    return done.ok() ? 0 : Fail(done);
  }

  if (*backup && backup_list) {
    const absl::Status listed = ogi::BackupListCommand(backup_dest, std::cout);
    return listed.ok() ? 0 : Fail(listed);
  }
  // Only import, append and demo create a store (serve, token create and
  // restore above too); erase writes one; every other command reads it
  // (reindex writes the report index file beside it, never the store).
  const ogi::StoreUse use = *import || *append ? ogi::StoreUse::kCreate
                            : *demo            ? ogi::StoreUse::kDemo
                            : *erase           ? ogi::StoreUse::kWrite
                                               : ogi::StoreUse::kRead;
  const bool existed = ogi::EventStore::Exists(db);
  auto store = ogi::OpenStore(db, use, std::cerr);
  if (!store.ok()) return Fail(store.status());
  ogi::EventStore& s = **store;
  const bool reading = use == ogi::StoreUse::kRead;

  absl::Status status;
  if (*import) {
    import_options.progress = isatty(STDERR_FILENO) && !import_quiet
                                  ? ogi::Progress::kOn
                                  : ogi::Progress::kOff;
    import_options.mode =
        import_dry_run ? ogi::ImportMode::kDryRun : ogi::ImportMode::kImport;
    if (import_quiet) {
      import_options.summary = std::nullopt;
    } else {
      import_options.summary = ParseFormat(import_format);
    }
    std::signal(SIGINT, OnImportInterrupt);
    std::signal(SIGTERM, OnImportInterrupt);
    import_options.interrupted = [] { return import_interrupted.load(); };
    status =
        ogi::ImportCommand(s, import_options, std::cout, std::cerr).status();
  } else if (*append) {
    if (append_json.empty())
      append_json.assign(std::istreambuf_iterator<char>(std::cin), {});
    status = ogi::AppendCommand(s, append_json, expected_version, std::cout);
  } else if (*export_cmd) {
    status = ogi::ExportCommand(s, export_options, std::cout);
  } else if (*history) {
    status =
        ogi::HistoryCommand(s, history_case, ParseFormat(history_format),
                            show_personal_data ? ogi::PersonalData::kShown
                                               : ogi::PersonalData::kMasked,
                            judge, std::cout);
  } else if (*stats) {
    status = ogi::StatsCommand(s, ParseFormat(stats_format), std::cout);
  } else if (*report) {
    ogi::ReportOptions options;
    options.request = request;
    options.kind =
        document ? ogi::ReportKind::kDocument : ogi::ReportKind::kTables;
    if (report_format.empty()) {
      report_format = document                                  ? "html"
                      : isatty(STDOUT_FILENO) && output.empty() ? "text"
                                                                : "csv";
    }
    options.format = *ogi::ParseReportFormat(report_format);
    options.warnings = &std::cerr;
    if (document_strict) options.strict = ogi::ReportOptions::Strict::kYes;
    options.index_path = ogi::ReportIndexPath(db);
    options.index_saving = ogi::ReportIndex::Saving::kInMemory;
    options.notes = &std::cerr;
    options.extras = extras;
    options.calendar = judge.calendar;
    if (!document_date.empty()) {
      auto day = ogi::ParseCivilDay(document_date);
      if (!day.ok()) return Fail(day.status());
      options.date = *day;
    }
    if (output.empty()) {
      status = ogi::ReportCommand(s, options, std::cout);
    } else {
      std::ofstream file(output, std::ios::binary);
      status = file ? ogi::ReportCommand(s, options, file)
                    : absl::UnavailableError("cannot write " + output);
      file.close();
      if (status.ok() && !file) {
        status = absl::UnavailableError("error writing " + output);
      }
    }
  } else if (*cases) {
    status = ogi::CasesCommand(s, request, cell_row, cell_column, std::cout);
  } else if (*check) {
    ogi::ReportOptions index;
    index.index_path = ogi::ReportIndexPath(db);
    index.index_saving = ogi::ReportIndex::Saving::kInMemory;
    index.notes = &std::cerr;
    status = ogi::CheckCommand(s, request, index, judge, std::cout);
  } else if (*verify) {
    if (!verify_digest.empty()) {
      auto parsed = ogi::ParseDigest(verify_digest);
      if (!parsed.ok()) return Fail(parsed.status());
      verify_options.digest = *parsed;
    }
    verify_options.report_index_path = ogi::ReportIndexPath(db);
    status = ogi::VerifyCommand(s, verify_options, std::cout);
  } else if (*deadline) {
    status =
        ogi::DeadlineCommand(s, deadline_case, *judge.calendar, judge.today,
                             ParseFormat(deadline_format), std::cout);
  } else if (*due) {
    due_options.today = judge.today;
    due_options.clock_day = judge.clock_day;
    status = ogi::DueCommand(s, due_options, *judge.calendar, std::cout);
  } else if (*fee_quote) {
    status = ogi::FeeQuoteCommand(
        s, fee_case,
        fee_method == "per-page" ? ogi::FeeMethod::kPerPage
                                 : ogi::FeeMethod::kPerApplication,
        fee_pages_given->count() > 0 ? std::optional<int64_t>(fee_pages)
                                     : std::nullopt,
        std::cout);
  } else if (*erase) {
    erase_options.today = judge.clock_day;
    status = ogi::ErasePersonalDataCommand(s, erase_options, std::cout);
  } else if (*backup) {
    status = ogi::BackupCommand(s, backup_dest, backup_keep, std::cout);
  } else if (*digest) {
    status = ogi::DigestCommand(s, std::cout);
  } else if (*reindex) {
    status = ogi::ReindexCommand(s, ogi::ReportIndexPath(db), std::cout);
  } else if (*demo) {
    status = ogi::DemoCommand(s, std::cout);
  }
  if (!status.ok()) return Fail(status);
  if (!existed && !reading)
    std::cerr << "ogi: " << ogi::CreatedStoreNote(db) << "\n";
  return 0;
}
