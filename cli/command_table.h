// The `ogi` sub-commands as one table: each row names a command, adds its
// flags, says how it uses the store, and runs it. main.cc builds the command
// line from the table, parses it, chooses the process's one calendar and
// clock, opens the store as the row says, runs the row and turns its Status
// into an exit code; the bash completion (`ogi completion bash`) is generated
// from the same table.
#ifndef OGI_CLI_COMMAND_TABLE_H_
#define OGI_CLI_COMMAND_TABLE_H_

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "cli/progress.h"
#include "cli/store_access.h"

#include "engine/clock.h"
#include "engine/deadline.h"
#include "engine/event_store.h"
#include "engine/messages.h"

namespace ogi {

// What main() chose once for the command that runs.
struct CommandEnv {
  std::string db;
  Clock* clock = nullptr;
  Judge judge;                  // the one calendar and "today"
  EventStore* store = nullptr;  // opened as the row's `store` says, or null
  // Opens the store for a row whose `store` is nullopt and that needs one
  // only for some of its flags (check without --table, backup without
  // --list); the store lives until main() returns.
  std::function<absl::StatusOr<EventStore*>(StoreUse)> open;
  std::ostream* out = nullptr;  // results
  std::ostream* err = nullptr;  // refusals of single lines, warnings
  // Notes (a created store, a lagging index, progress): std::cerr, or a
  // stream that drops them under --quiet.
  std::ostream* notes = nullptr;
  // The one progress display (cli/progress.h): drawing only on a terminal
  // without --quiet; every opened store reports to it.
  ProgressLine* progress = nullptr;
  bool stdout_is_terminal = false;
  bool stderr_is_terminal = false;
  CLI::App* app = nullptr;  // the whole command line (for completion)
};

struct SubCommand {
  // "report", or "fee quote" for a sub-command of "fee". A row whose `run`
  // is null is a group: one of its sub-commands is required.
  const char* path;
  Msg help;  // its line in `ogi --help` (engine/message_catalog.inc)
  // How the command uses the store in --db; nullopt: it opens none itself
  // (or opens its own, like serve and restore).
  std::optional<StoreUse> store;
  void (*flags)(CLI::App& app, Flags& flags) = nullptr;
  absl::Status (*run)(Flags& flags, CommandEnv& env) = nullptr;
};

// Every row, parents before their sub-commands; the order of `ogi --help`.
const std::vector<SubCommand>& SubCommands();

// Adds --db, --quiet and every row to `app`, binding their flags to `flags`
// (which must outlive `app`); returns the row of each sub-command.
std::map<const CLI::App*, const SubCommand*> BuildCommandLine(CLI::App& app,
                                                              Flags& flags);

// The rows by area (cli/command_table_*.cc).
std::vector<SubCommand> StoreCommands();    // import .. demo
std::vector<SubCommand> ReadCommands();     // report, check, deadline, ..
std::vector<SubCommand> ServiceCommands();  // serve, token, client
std::vector<SubCommand> KeepingCommands();  // verify .. demo

// Shared flag groups.
void AddCalendarFlags(CLI::App& app, Flags& flags);      // --calendar, --on
void AddFormatFlag(CLI::App& app, std::string& format);  // --format text|json
OutputFormat FormatOf(const std::string& text);

// --as-of: an RFC 3339 instant, or a day YYYY-MM-DD read as the end of that
// day in China time (Asia/Shanghai), which is then said on `notes`.
absl::StatusOr<absl::Time> ParseAsOf(const std::string& text,
                                     std::ostream* notes);

// Writes `text` to `path`, or to `out` if `path` is empty; kUnavailable if
// the file cannot be written.
absl::Status WriteOutput(const std::string& path, const std::string& text,
                         std::ostream& out);

}  // namespace ogi

#endif  // OGI_CLI_COMMAND_TABLE_H_
