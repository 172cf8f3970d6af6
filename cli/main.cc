// The `ogi` command: builds the command line from the command table
// (command_table.h), parses it, chooses the process's one calendar and clock,
// opens the store as the chosen row says, runs it and turns its Status into
// the exit code.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
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
#include "cli/command_table.h"
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

// The exit codes (README.md): 0 done; 1 refused or failed; 2 an unknown
// command or option; 3 a conflict (a stale --expected-version, another writer
// moved the head): read again and retry. CLI11's own usage errors keep its
// codes (106 for a missing required option, ...).
constexpr int kExitConflict = 3;

int Fail(const absl::Status& status) {
  std::cerr << "ogi: " << status.message() << "\n";
  return absl::IsAborted(status) ? kExitConflict : 1;
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
        return ogi::Text(ogi::Msg::kCliUnknownOption, name, path);
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
    return ogi::Text(ogi::Msg::kCliUnknownCommand, arg, path);
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
  CLI::App app{ogi::Text(ogi::Msg::kHelpOgi)};
  // Set before the sub-commands are added: they inherit the help flag.
  app.set_help_flag("--help,-h", ogi::Text(ogi::Msg::kHelpHelp));
  for (auto [label, message] :
       {std::pair{"Usage", ogi::Msg::kHelpLabelUsage},
        std::pair{"OPTIONS", ogi::Msg::kHelpLabelOptions},
        std::pair{"Positionals", ogi::Msg::kHelpLabelPositionals},
        std::pair{"REQUIRED", ogi::Msg::kHelpLabelRequired},
        std::pair{"Env", ogi::Msg::kHelpLabelEnv},
        std::pair{"Needs", ogi::Msg::kHelpLabelNeeds},
        std::pair{"Excludes", ogi::Msg::kHelpLabelExcludes},
        std::pair{"SUBCOMMAND", ogi::Msg::kHelpLabelSubcommand},
        std::pair{"TEXT", ogi::Msg::kHelpLabelText},
        std::pair{"INT", ogi::Msg::kHelpLabelInt},
        std::pair{"UINT", ogi::Msg::kHelpLabelUint}}) {
    app.get_formatter()->label(label, ogi::Text(message));
  }
  app.option_defaults()->group(ogi::Text(ogi::Msg::kHelpGroupOptions));
  app.require_subcommand(1);
  ogi::Flags flags;
  flags.db = DefaultDb();
  const std::map<const CLI::App*, const ogi::SubCommand*> rows =
      ogi::BuildCommandLine(app, flags);

  app.set_version_flag("--version", "ogi (event log format 1)",
                       ogi::Text(ogi::Msg::kHelpVersion));
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
    // CLI11 says its usage errors (a required option missing, a value out
    // of range) in English: the clerk is told in the process's language
    // what the line is, with CLI11's words naming the option.
    if (e.get_exit_code() != 0 &&
        ogi::ProcessLanguage() == ogi::Language::kChinese) {
      std::cerr << "ogi: " << ogi::Text(ogi::Msg::kCliUsageError, e.what())
                << "\n";
      return e.get_exit_code();
    }
    return app.exit(e);
  }
  const CLI::App* chosen = &app;
  while (!chosen->get_subcommands().empty())
    chosen = chosen->get_subcommands().front();
  const ogi::SubCommand& row = *rows.at(chosen);

  std::ostream quiet(nullptr);  // drops what it is given
  ogi::CommandEnv env;
  env.db = flags.db;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.notes = flags.quiet ? &quiet : &std::cerr;
  env.stdout_is_terminal = isatty(STDOUT_FILENO);
  env.stderr_is_terminal = isatty(STDERR_FILENO);
  env.app = &app;

  // The process's one clock and, for the commands that judge deadlines, its
  // one calendar and "today", chosen here once.
  ogi::Clock& clock = ogi::SystemClock();
  env.clock = &clock;
  // Progress only for a person watching: stderr a terminal, no --quiet.
  ogi::ProgressLine progress(std::cerr,
                             env.stderr_is_terminal && !flags.quiet
                                 ? ogi::ProgressLine::Drawing::kOn
                                 : ogi::ProgressLine::Drawing::kOff,
                             clock);
  env.progress = &progress;
  env.judge.clock_day = ogi::AgencyDay(clock.Now());
  env.judge.today = env.judge.clock_day;
  if (!flags.on_date.empty()) {
    auto day = ogi::ParseCivilDay(flags.on_date);
    if (!day.ok()) return Fail(day.status());
    env.judge.today = *day;
  }
  absl::StatusOr<ogi::Calendar> calendar =
      ogi::Calendar::ForStore(flags.db, flags.calendar_path);
  if (!calendar.ok()) return Fail(calendar.status());
  env.judge.calendar = &*calendar;

  // The store, opened at most once, as the row says or when it asks.
  std::unique_ptr<ogi::EventStore> store;
  bool existed = true;
  std::optional<ogi::StoreUse> used;
  env.open = [&](ogi::StoreUse use) -> absl::StatusOr<ogi::EventStore*> {
    existed = ogi::EventStore::Exists(flags.db);
    absl::StatusOr<std::unique_ptr<ogi::EventStore>> opened =
        ogi::OpenStore(flags.db, use, *env.notes);
    if (!opened.ok()) return opened.status();
    store = *std::move(opened);
    if (progress.drawing()) store->set_progress(&progress);
    used = use;
    return store.get();
  };
  if (row.store.has_value()) {
    absl::StatusOr<ogi::EventStore*> opened = env.open(*row.store);
    if (!opened.ok()) return Fail(opened.status());
    env.store = *opened;
  }
  const absl::Status status = row.run(flags, env);
  progress.Break();
  if (!status.ok()) return Fail(status);
  if (used.has_value() && !existed && *used != ogi::StoreUse::kRead)
    *env.notes << "ogi: " << ogi::CreatedStoreNote(flags.db) << "\n";
  return 0;
}
