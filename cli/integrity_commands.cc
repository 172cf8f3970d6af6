// ogi verify and ogi digest: an auditor's check that the log was not altered,
// and the (position, hash) a published report can be checked against later.
#include <memory>
#include <ostream>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/commands.h"

#include "engine/backups.h"
#include "engine/civil_date.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "projections/report_index.h"

namespace ogi {

absl::StatusOr<Digest> ParseDigest(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  Digest digest;
  std::string bytes;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &digest.position) ||
      parts[1].size() != 2 * kLinkSize || !absl::c_all_of(parts[1], [](char c) {
        return absl::ascii_isxdigit(c);
      })) {
    return absl::InvalidArgumentError(Text(Msg::kDigestForm, 2 * kLinkSize));
  }
  digest.link = absl::HexStringToBytes(absl::AsciiStrToLower(parts[1]));
  return digest;
}

absl::Status DigestCommand(EventStore& store, std::ostream& out) {
  const uint64_t head = store.HeadPosition();
  OGI_ASSIGN_OR_RETURN(std::string link, store.LinkAt(head));
  out << head << ":" << absl::BytesToHexString(link) << "\n";
  return absl::OkStatus();
}

absl::Status VerifyCommand(EventStore& store, const VerifyOptions& options,
                           std::ostream& out) {
  if (options.digest.has_value() && options.from > 1) {
    return absl::InvalidArgumentError(Text(Msg::kDigestWithFrom));
  }
  OGI_ASSIGN_OR_RETURN(EventStore::VerifyResult result,
                       store.Verify(options.from));
  if (options.from <= 1 && !options.report_index_path.empty()) {
    OGI_RETURN_IF_ERROR(
        ReportIndex::CheckAgainstLog(store, options.report_index_path));
  }
  out << Text(Msg::kVerifiedEvents, result.events);
  if (result.events > 0) {
    out << Text(Msg::kVerifiedPositions,
                result.head_position - result.events + 1, result.head_position);
  }
  out << Text(options.from <= 1 ? Msg::kVerifiedWhole : Msg::kVerifiedPart)
      << "\n"
      << Text(Msg::kVerifiedHead, result.head_position,
              absl::BytesToHexString(result.head_link))
      << "\n";
  if (!options.digest.has_value()) return absl::OkStatus();

  const Digest& digest = *options.digest;
  if (digest.position > result.head_position) {
    return absl::DataLossError(
        Text(Msg::kDigestBeyondHead, digest.position, result.head_position));
  }
  OGI_ASSIGN_OR_RETURN(std::string link, store.LinkAt(digest.position));
  if (link != digest.link) {
    return absl::DataLossError(Text(Msg::kDigestMismatch, digest.position,
                                    absl::BytesToHexString(link),
                                    absl::BytesToHexString(digest.link)));
  }
  out << Text(Msg::kVerifiedDigest, digest.position,
              absl::BytesToHexString(digest.link),
              result.head_position - digest.position)
      << "\n";
  return absl::OkStatus();
}

absl::Status BackupCommand(EventStore& store, const std::string& dest,
                           uint32_t keep, std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(EventStore::BackupResult backup, store.Backup(dest));
  out << Text(Msg::kBackupDone, backup.backup_id, dest, backup.head_position,
              absl::BytesToHexString(backup.head_link))
      << "\n";
  if (keep == 0) return absl::OkStatus();
  OGI_ASSIGN_OR_RETURN(std::vector<BackupInfo> before, ListBackups(dest));
  OGI_RETURN_IF_ERROR(PruneBackups(dest, keep));
  if (before.size() > keep) {
    out << Text(Msg::kBackupPruned, before.size() - keep, keep) << "\n";
  }
  return absl::OkStatus();
}

absl::Status BackupListCommand(const std::string& dest, std::ostream& out) {
  OGI_ASSIGN_OR_RETURN(std::vector<BackupInfo> backups, ListBackups(dest));
  out << "id\tcreated\tbytes\tfiles\thead\n";
  for (const BackupInfo& b : backups) {
    out << b.backup_id << "\t"
        << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", b.created,
                            absl::UTCTimeZone())
        << "\t" << b.bytes << "\t" << b.files << "\t"
        << (b.head.empty() ? "-" : b.head) << "\n";
  }
  return absl::OkStatus();
}

absl::Status RestoreCommand(const std::string& backup_dir,
                            const std::string& db_dir, uint32_t backup_id,
                            std::ostream& out, ProgressSink* progress) {
  OGI_ASSIGN_OR_RETURN(uint32_t id, EventStore::Restore(backup_dir, db_dir,
                                                        backup_id, progress));
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
                       EventStore::Open({.path = db_dir}));
  store->set_progress(progress);
  OGI_ASSIGN_OR_RETURN(EventStore::VerifyResult verified, store->Verify(1));
  out << Text(Msg::kRestoreDone, id, backup_dir, db_dir, verified.events,
              verified.head_position,
              absl::BytesToHexString(verified.head_link))
      << "\n";
  return absl::OkStatus();
}

absl::Status ErasePersonalDataCommand(EventStore& store,
                                      const EraseOptions& options,
                                      std::ostream& out) {
  if (options.case_id.empty() == options.applicant.empty()) {
    return absl::InvalidArgumentError(Text(Msg::kEraseNeedsTarget));
  }
  std::vector<std::string> cases;
  if (!options.case_id.empty()) {
    cases.push_back(options.case_id);
  } else {
    OGI_ASSIGN_OR_RETURN(cases, store.CasesOfApplicant(options.applicant));
    if (cases.empty()) {
      // The value is personal data: it is not repeated.
      return absl::NotFoundError(Text(Msg::kEraseNoApplicant));
    }
  }
  std::vector<v1::Event> events;
  std::vector<std::string> already;
  for (const std::string& id : cases) {
    OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> stream,
                         store.ReadStream({StreamId::Kind::kCase, id}));
    if (stream.empty()) return absl::NotFoundError(Text(Msg::kUnknownCase, id));
    if (absl::c_any_of(stream, [](const v1::Event& e) {
          return e.has_personal_data_erased();
        })) {
      already.push_back(id);
      continue;
    }
    v1::Event& e = events.emplace_back();
    e.set_case_id(id);
    e.set_occurred_on(FormatCivilDay(options.today));
    e.set_actor(options.actor);
    e.mutable_personal_data_erased()->set_reason(options.reason);
  }
  if (!events.empty()) OGI_RETURN_IF_ERROR(store.Append(events).status());
  // Also when every case was erased already: an erasure recorded by a path
  // that failed to purge (or by an older version) is purged now.
  OGI_RETURN_IF_ERROR(store.PurgeErasedKeys());
  out << Text(Msg::kErasedCases, events.size());
  for (const v1::Event& e : events) out << " " << e.case_id();
  if (!already.empty()) {
    out << Text(Msg::kErasedAlready);
    for (const std::string& id : already) out << " " << id;
  }
  out << "\n";
  return absl::OkStatus();
}

}  // namespace ogi
