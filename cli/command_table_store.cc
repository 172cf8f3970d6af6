// The rows of the commands that write, export or keep the store, and gen and
// demo; see command_table.h.
#include <atomic>
#include <csignal>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
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
  app.add_option("file", f.import.path,
                 "JSON Lines file, or - for standard input")
      ->required();
  app.add_option("--batch", f.import_batch,
                 "ignored: an import is one atomic step")
      ->check(CLI::Range(1, 1000000));
  app.add_flag("--dry-run", f.import_dry_run,
               "check the file only; write nothing");
  AddFormatFlag(app, f.format);
  app.add_option("--max-errors", f.import.max_errors,
                 "refused lines to print before stopping")
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
  app.add_option("event", f.append_json,
                 "the event as one JSON object (default: read standard input)");
  app.add_option("--expected-version", f.expected_version,
                 "the stream's version before this event (0: new); a stale "
                 "one exits 3");
  AddFormatFlag(app, f.format);
}

absl::Status RunAppend(Flags& f, CommandEnv& env) {
  if (f.append_json.empty())
    f.append_json.assign(std::istreambuf_iterator<char>(std::cin), {});
  return AppendCommand(*env.store, f.append_json, f.expected_version, *env.out,
                       FormatOf(f.format));
}

void ExportFlags(CLI::App& app, Flags& f) {
  app.add_option("--case", f.export_options.case_id, "only this case");
  app.add_option("--agency", f.export_options.agency_id,
                 "only this agency and its cases");
}

absl::Status RunExport(Flags& f, CommandEnv& env) {
  return ExportCommand(*env.store, f.export_options, *env.out);
}

void HistoryFlags(CLI::App& app, Flags& f) {
  app.add_option("case", f.case_id, "case id")->required();
  AddFormatFlag(app, f.format);
  app.add_flag("--show-personal-data", f.show_personal_data,
               "show applicant name, ID number and contact");
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
  app.add_option("--from", f.verify.from,
                 "first position to check (default 1: the whole log)");
  app.add_option("--digest", f.verify_digest,
                 "POSITION:HASH, e.g. from a published report: prove the "
                 "log still extends it");
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
                   ? absl::StrCat("migrated ", env.db, " from format ",
                                  kFormatUnscopedEventIds, " to ", kFormatValue,
                                  " (eventIds scoped by agency)\n")
                   : absl::StrCat(env.db, " is in format ", kFormatValue,
                                  " already: nothing to migrate\n"));
  return absl::OkStatus();
}

void EraseFlags(CLI::App& app, Flags& f) {
  app.add_option("--case", f.erase.case_id, "the case's applicant");
  app.add_option("--applicant", f.erase.applicant,
                 "every case whose applicant has this ID number (or, "
                 "without one, this name)");
  app.add_option("--reason", f.erase.reason,
                 "why, recorded in the event (e.g. the request's number)");
  app.add_option("--actor", f.erase.actor,
                 "who erases it, recorded in the event");
}

absl::Status RunErase(Flags& f, CommandEnv& env) {
  f.erase.today = env.judge.clock_day;
  return ErasePersonalDataCommand(*env.store, f.erase, *env.out);
}

void BackupFlags(CLI::App& app, Flags& f) {
  app.add_option("dest", f.backup_dest, "backup directory (created if missing)")
      ->required();
  app.add_flag("--list", f.backup_list,
               "list the backups in DEST instead (id, time, head)");
  app.add_option("--keep", f.backup_keep,
                 "then delete all but the N newest backups in DEST");
}

absl::Status RunBackup(Flags& f, CommandEnv& env) {
  if (f.backup_list) return BackupListCommand(f.backup_dest, *env.out);
  OGI_ASSIGN_OR_RETURN(EventStore * store, env.open(StoreUse::kRead));
  return BackupCommand(*store, f.backup_dest, f.backup_keep, *env.out);
}

void RestoreFlags(CLI::App& app, Flags& f) {
  app.add_option("src", f.restore_src, "backup directory")->required();
  app.add_option("--backup-id", f.restore_id,
                 "the backup to restore (ogi backup DEST --list)");
}

absl::Status RunRestore(Flags& f, CommandEnv& env) {
  return RestoreCommand(f.restore_src, env.db, f.restore_id, *env.out);
}

void GenFlags(CLI::App& app, Flags& f) {
  app.add_option("--agencies", f.gen.agencies,
                 "agencies, in a tree under one root government")
      ->check(CLI::Range(1, 100000));
  app.add_option("--years", f.gen_years, "FIRST..LAST, e.g. 2020..2024");
  app.add_option("--cases-per-year", f.gen.cases_per_year,
                 "applications per year over all agencies")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  app.add_option("--seed", f.gen.seed, "random seed");
  app.add_option("--out", f.gen_out, "output file (default: standard output)");
}

absl::Status RunGen(Flags& f, CommandEnv& env) {
  OGI_RETURN_IF_ERROR(ParseYears(f.gen_years, f.gen));
  const absl::Time start = env.clock->Now();
  OGI_ASSIGN_OR_RETURN(uint64_t events, GenCommand(f.gen, f.gen_out, *env.out));
  const double seconds = absl::ToDoubleSeconds(env.clock->Now() - start);
  *env.notes << "ogi gen: " << events << " events in " << seconds << " s ("
             << static_cast<uint64_t>(events / std::max(seconds, 1e-9))
             << " events/s)\n";
  return absl::OkStatus();
}

absl::Status RunDemo(Flags&, CommandEnv& env) {
  return DemoCommand(*env.store, *env.out);
}

}  // namespace

std::vector<SubCommand> StoreCommands() {
  return {
      {"import", "validate a JSON Lines file, then append it (all or nothing)",
       StoreUse::kCreate, ImportFlags, RunImport},
      {"append", "append one event (JSON as argument or on standard input)",
       StoreUse::kCreate, AppendFlags, RunAppend},
      {"export", "write stored events as JSON Lines", StoreUse::kRead,
       ExportFlags, RunExport},
      {"history", "a case's timeline, amendments beside what they correct",
       StoreUse::kRead, HistoryFlags, RunHistory},
      {"stats", "events, cases, agencies, head, size on disk", StoreUse::kRead,
       StatsFlags, RunStats},
  };
}

std::vector<SubCommand> KeepingCommands() {
  return {
      {"verify",
       "check the log's chain, positions and indexes (and a published digest)",
       StoreUse::kRead, VerifyFlags, RunVerify},
      {"digest", "print the head as POSITION:HASH (the log up to it)",
       StoreUse::kRead, nullptr, RunDigest},
      {"reindex",
       "bring the report index file up to the head of the log and save it "
       "(the one command that writes it besides ogi serve)",
       StoreUse::kRead, nullptr, RunReindex},
      {"migrate",
       "bring a store written by an older ogi to the current format (any "
       "writing command does it first; this one does only that)",
       StoreUse::kWrite, nullptr, RunMigrate},
      {"erase-personal-data",
       "destroy the key of an applicant's personal data (name, ID number, "
       "contact); the log, its chain and every report stay as they are",
       StoreUse::kWrite, EraseFlags, RunErase},
      {"backup",
       "copy the store into a backup directory while appends go on (also "
       "while ogi serve runs)",
       std::nullopt, BackupFlags, RunBackup},
      {"restore",
       "restore a backup (the latest by default) into a new --db directory, "
       "then verify it",
       std::nullopt, RestoreFlags, RunRestore},
      {"gen",
       "write a deterministic, realistic generated log as JSON Lines "
       "(streams; no store is opened)",
       std::nullopt, GenFlags, RunGen},
      {"demo",
       "build the sample store (the seed agency and a generated city) "
       "and print reports",
       StoreUse::kDemo, nullptr, RunDemo},
  };
}

}  // namespace ogi
