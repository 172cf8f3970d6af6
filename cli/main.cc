// The `ogi` command: flags and dispatch only. The commands themselves are in
// commands.h.
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "cli/commands.h"

#include "engine/event_store.h"

namespace {

std::string DefaultDb() {
  const char* env = std::getenv("OGI_DB");
  return env != nullptr && *env != '\0' ? env : "./ogi-data";
}

ogi::OutputFormat ParseFormat(const std::string& text) {
  return text == "json" ? ogi::OutputFormat::kJson : ogi::OutputFormat::kText;
}

int Fail(const absl::Status& status) {
  std::cerr << "ogi: " << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
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
  import
      ->add_option("--batch", import_options.batch_events,
                   "events per atomic synced batch")
      ->check(CLI::Range(1, 1000000));
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

  std::string stats_format = "text";
  auto* stats = app.add_subcommand(
      "stats", "events, cases, agencies, head, size on disk");
  stats->add_option("--format", stats_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  for (auto* sub : {import, append, export_cmd, history, stats}) {
    sub->add_option("--db", db,
                    "store directory (default: $OGI_DB, else ./ogi-data)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  auto store = ogi::EventStore::Open({.path = db});
  if (!store.ok()) return Fail(store.status());
  ogi::EventStore& s = **store;

  absl::Status status;
  if (*import) {
    import_options.progress =
        isatty(STDERR_FILENO) ? ogi::Progress::kOn : ogi::Progress::kOff;
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
                            std::cout);
  } else if (*stats) {
    status = ogi::StatsCommand(s, ParseFormat(stats_format), std::cout);
  }
  if (!status.ok()) return Fail(status);
  return 0;
}
