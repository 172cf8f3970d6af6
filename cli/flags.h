// The value of every `ogi` flag, bound by the command table's rows
// (cli/command_table.h) and read by their runs.
#ifndef OGI_CLI_FLAGS_H_
#define OGI_CLI_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "cli/client_command.h"
#include "cli/commands.h"
#include "cli/serve_command.h"

namespace ogi {

struct Flags {
  std::string db;      // --db
  bool quiet = false;  // --quiet: results and errors only

  // --calendar and --on: how the commands that judge deadlines choose the
  // process's one calendar and "today".
  std::string calendar_path;
  std::string on_date;

  // --year, --agency, --rollup, --as-of: a report's scope.
  int year = 0;
  std::string agency;
  bool rollup = false;
  std::string as_of;

  std::string format;  // --format of the command that runs ("": its default)

  ImportOptions import;
  size_t import_batch = 0;
  bool import_dry_run = false;

  std::string append_json;
  std::optional<uint32_t> expected_version;

  ExportOptions export_options;

  std::string case_id;  // history, deadline, fee quote
  bool show_personal_data = false;

  std::string output;  // report --output
  bool document = false;
  std::string document_date;
  bool document_strict = false;
  bool extras = false;

  std::string cell_row, cell_column;
  std::string check_table;

  VerifyOptions verify;
  std::string verify_digest;

  EraseOptions erase;

  std::string backup_dest;
  bool backup_list = false;
  uint32_t backup_keep = 0;
  std::string restore_src;
  uint32_t restore_id = 0;

  DueOptions due;

  std::string fee_method;
  std::optional<int64_t> fee_pages;

  GenOptions gen;
  std::string gen_years = "2020..2024";
  std::string gen_out;

  ServeOptions serve;

  std::string token_name, token_agency, token_scope = "append,read,report";
  bool token_rollup = false;
  std::string token_revoke;

  ClientOptions client;
  ClientRequest client_request;

  std::string completion_shell = "bash";
};

}  // namespace ogi

#endif  // OGI_CLI_FLAGS_H_
