// The rows of the commands that write, export or keep the store, and gen and
// demo; see command_table.h.
#include <atomic>
#include <csignal>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/command_table.h"

#include "engine/key_codec.h"
#include "engine/status_macros.h"
#include "read/store_damage.h"

namespace ogi {
namespace {

// Set by SIGINT/SIGTERM during an import, which then stops with nothing
// written (a signal handler can only reach a global).
std::atomic<bool> import_interrupted{false};

void OnImportInterrupt(int) { import_interrupted = true; }

void ImportFlags(CLI::App& app, Flags& f) {
  app.add_option("file", f.import.path, Text(Msg::kHelpJSONLinesFileOr))
      ->required();
  app.add_option("--batch", f.import_batch, Text(Msg::kHelpIgnoredAnImportIs))
      ->check(CLI::Range(1, 1000000));
  app.add_flag("--dry-run", f.import_dry_run, Text(Msg::kHelpCheckTheFileOnly));
  AddFormatFlag(app, f.format);
  app.add_option("--max-errors", f.import.max_errors,
                 Text(Msg::kHelpRefusedLinesToPrint))
      ->check(CLI::Range(1, 1000000));
}

absl::Status RunImport(Flags& f, CommandEnv& env) {
  f.import.progress =
      env.stderr_is_terminal && !f.quiet ? Progress::kOn : Progress::kOff;
  f.import.mode = f.import_dry_run ? ImportMode::kDryRun : ImportMode::kImport;
  // --quiet drops the text summary; a JSON one is the result a script asked
  // for.
  f.import.summary = FormatOf(f.format);
  if (f.quiet && f.import.summary == OutputFormat::kText)
    f.import.summary = std::nullopt;
  std::signal(SIGINT, OnImportInterrupt);
  std::signal(SIGTERM, OnImportInterrupt);
  f.import.interrupted = [] { return import_interrupted.load(); };
  return ImportCommand(*env.store, f.import, *env.out, *env.err).status();
}

void AppendFlags(CLI::App& app, Flags& f) {
  app.add_option("event", f.append_json, Text(Msg::kHelpTheEventAsOne));
  app.add_option("--expected-version", f.expected_version,
                 Text(Msg::kHelpTheStreamSVersion));
  AddFormatFlag(app, f.format);
}

absl::Status RunAppend(Flags& f, CommandEnv& env) {
  if (f.append_json.empty())
    f.append_json.assign(std::istreambuf_iterator<char>(std::cin), {});
  return AppendCommand(*env.store, f.append_json, f.expected_version, *env.out,
                       FormatOf(f.format));
}

void ExportFlags(CLI::App& app, Flags& f) {
  app.add_option("--case", f.export_options.case_id,
                 Text(Msg::kHelpOnlyThisCase));
  app.add_option("--agency", f.export_options.agency_id,
                 Text(Msg::kHelpOnlyThisAgencyAnd));
}

absl::Status RunExport(Flags& f, CommandEnv& env) {
  return ExportCommand(*env.store, f.export_options, *env.out);
}

void HistoryFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.case_id, Text(Msg::kHelpCaseId))->required();
  AddFormatFlag(app, f.format);
  app.add_flag("--show-personal-data", f.show_personal_data,
               Text(Msg::kHelpShowApplicantNameID));
  AddCalendarFlags(app, f);
}

absl::Status RunHistory(Flags& f, CommandEnv& env) {
  return HistoryCommand(
      *env.store, f.case_id, FormatOf(f.format),
      f.show_personal_data ? PersonalData::kShown : PersonalData::kMasked,
      env.judge, *env.out);
}

void StatsFlags(CLI::App& app, Flags& f) { AddFormatFlag(app, f.format); }

absl::Status RunStats(Flags& f, CommandEnv& env) {
  return StatsCommand(*env.store, FormatOf(f.format), *env.out);
}

void VerifyFlags(CLI::App& app, Flags& f) {
  app.add_option("--from", f.verify.from, Text(Msg::kHelpFirstPositionToCheck));
  app.add_option("--digest", f.verify_digest, Text(Msg::kHelpPOSITIONHASHEG));
}

absl::Status RunVerify(Flags& f, CommandEnv& env) {
  if (!f.verify_digest.empty()) {
    OGI_ASSIGN_OR_RETURN(f.verify.digest, ParseDigest(f.verify_digest));
  }
  f.verify.report_index_path = ReportIndexPath(env.db);
  return ExplainDamage(*env.store,
                       VerifyCommand(*env.store, f.verify, *env.out));
}

absl::Status RunDigest(Flags&, CommandEnv& env) {
  return DigestCommand(*env.store, *env.out);
}

absl::Status RunReindex(Flags&, CommandEnv& env) {
  return ReindexCommand(*env.store, ReportIndexPath(env.db), *env.out);
}

// The store was opened for writing, which migrates an older format first
// (docs/STORAGE.md, "Format versions").
absl::Status RunMigrate(Flags&, CommandEnv& env) {
  *env.out << (env.store->Migrated()
                   ? Text(Msg::kMigrated, env.db, kFormatUnscopedEventIds,
                          kFormatValue)
                   : Text(Msg::kNothingToMigrate, env.db, kFormatValue))
           << "\n";
  return absl::OkStatus();
}

void EraseFlags(CLI::App& app, Flags& f) {
  app.add_option("--case", f.erase.case_id, Text(Msg::kHelpTheCaseSApplicant));
  app.add_option("--applicant", f.erase.applicant,
                 Text(Msg::kHelpEveryCaseWhoseApplicant));
  app.add_option("--reason", f.erase.reason, Text(Msg::kHelpWhyRecordedInThe));
  app.add_option("--actor", f.erase.actor, Text(Msg::kHelpWhoErasesItRecorded));
}

absl::Status RunErase(Flags& f, CommandEnv& env) {
  f.erase.today = env.judge.clock_day;
  return ErasePersonalDataCommand(*env.store, f.erase, *env.out);
}

void BackupFlags(CLI::App& app, Flags& f) {
  app.add_option("dest", f.backup_dest,
                 Text(Msg::kHelpBackupDirectoryCreatedIf))
      ->required();
  app.add_flag("--list", f.backup_list, Text(Msg::kHelpListTheBackupsIn));
  app.add_option("--keep", f.backup_keep, Text(Msg::kHelpThenDeleteAllBut));
}

absl::Status RunBackup(Flags& f, CommandEnv& env) {
  if (f.backup_list) return BackupListCommand(f.backup_dest, *env.out);
  OGI_ASSIGN_OR_RETURN(EventStore * store, env.open(StoreUse::kRead));
  return BackupCommand(*store, f.backup_dest, f.backup_keep, *env.out);
}

void RestoreFlags(CLI::App& app, Flags& f) {
  app.add_option("src", f.restore_src, Text(Msg::kHelpBackupDirectory))
      ->required();
  app.add_option("--backup-id", f.restore_id,
                 Text(Msg::kHelpTheBackupToRestore));
}

absl::Status RunRestore(Flags& f, CommandEnv& env) {
  return RestoreCommand(f.restore_src, env.db, f.restore_id, *env.out,
                        env.progress->drawing() ? env.progress : nullptr);
}

void GenFlags(CLI::App& app, Flags& f) {
  app.add_option("--agencies", f.gen.agencies, Text(Msg::kHelpAgenciesInATree))
      ->check(CLI::Range(1, 100000));
  app.add_option("--years", f.gen_years, Text(Msg::kHelpFIRSTLASTEG));
  app.add_option("--cases-per-year", f.gen.cases_per_year,
                 Text(Msg::kHelpApplicationsPerYearOver))
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  app.add_option("--seed", f.gen.seed, Text(Msg::kHelpRandomSeed));
  app.add_option("--out", f.gen_out, Text(Msg::kHelpOutputFileDefaultStandard));
}

absl::Status RunGen(Flags& f, CommandEnv& env) {
  OGI_RETURN_IF_ERROR(ParseYears(f.gen_years, f.gen));
  const absl::Time start = env.clock->Now();
  OGI_ASSIGN_OR_RETURN(uint64_t events, GenCommand(f.gen, f.gen_out, *env.out));
  const double seconds = absl::ToDoubleSeconds(env.clock->Now() - start);
  *env.notes << "ogi gen: "
             << Text(Msg::kGenDone, events, absl::StrFormat("%.3g", seconds),
                     static_cast<uint64_t>(events / std::max(seconds, 1e-9)))
             << "\n";
  return absl::OkStatus();
}

absl::Status RunDemo(Flags&, CommandEnv& env) {
  return DemoCommand(*env.store, *env.out);
}

}  // namespace

std::vector<SubCommand> StoreCommands() {
  return {
      {"import", Msg::kHelpValidateAJSONLines, StoreUse::kCreate, ImportFlags,
       RunImport},
      {"append", Msg::kHelpAppendOneEventJSON, StoreUse::kCreate, AppendFlags,
       RunAppend},
      {"export", Msg::kHelpWriteStoredEventsAs, StoreUse::kRead, ExportFlags,
       RunExport},
      {"history", Msg::kHelpACaseSTimeline, StoreUse::kRead, HistoryFlags,
       RunHistory},
      {"stats", Msg::kHelpEventsCasesAgenciesHead, StoreUse::kRead, StatsFlags,
       RunStats},
  };
}

std::vector<SubCommand> KeepingCommands() {
  return {
      {"verify", Msg::kHelpCheckTheLogS, StoreUse::kRead, VerifyFlags,
       RunVerify},
      {"digest", Msg::kHelpPrintTheHeadAs, StoreUse::kRead, nullptr, RunDigest},
      {"reindex", Msg::kHelpBringTheReportIndex, StoreUse::kRead, nullptr,
       RunReindex},
      {"migrate", Msg::kHelpMigrate, StoreUse::kWrite, nullptr, RunMigrate},
      {"erase-personal-data", Msg::kHelpDestroyTheKeyOf, StoreUse::kWrite,
       EraseFlags, RunErase},
      {"backup", Msg::kHelpCopyTheStoreInto, std::nullopt, BackupFlags,
       RunBackup},
      {"restore", Msg::kHelpRestoreABackupThe, std::nullopt, RestoreFlags,
       RunRestore},
      {"gen", Msg::kHelpWriteADeterministicRealistic, std::nullopt, GenFlags,
       RunGen},
      {"demo", Msg::kHelpBuildTheSampleStore, StoreUse::kDemo, nullptr,
       RunDemo},
  };
}

}  // namespace ogi
