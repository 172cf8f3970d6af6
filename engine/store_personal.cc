// RocksEventStore's side of personal data (engine/personal_data.h): sealing
// applicants before their events are hashed, revealing them on read, erasure,
// and finding an applicant's cases. Layout of the "keys" family:
// engine/key_codec.h.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"

#include "engine/internal/rocks_store.h"
#include "engine/messages.h"
#include "engine/personal_data.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi::engine_internal {
namespace {

constexpr char kPepperKey[] = "p";

std::string KeyEntryKey(absl::string_view case_id) {
  return absl::StrCat("k", case_id);
}
std::string TokenKey(absl::string_view token, absl::string_view case_id) {
  return absl::StrCat("t", token, case_id);
}

absl::StatusOr<KeyEntry> DecodeKeyEntry(absl::string_view value,
                                        absl::string_view case_id) {
  const size_t fixed = kKeyIdSize + kPersonalKeySize;
  if (value.size() < fixed || (value.size() - fixed) % kTokenSize != 0) {
    return absl::DataLossError(Text(Msg::kPersonalKeyMalformed, case_id));
  }
  KeyEntry entry;
  entry.key.id = std::string(value.substr(0, kKeyIdSize));
  entry.key.key = std::string(value.substr(kKeyIdSize, kPersonalKeySize));
  for (size_t at = fixed; at < value.size(); at += kTokenSize)
    entry.tokens.emplace_back(value.substr(at, kTokenSize));
  return entry;
}

}  // namespace

std::string EncodeKeyEntry(const KeyEntry& entry) {
  std::string out = absl::StrCat(entry.key.id, entry.key.key);
  for (const std::string& token : entry.tokens) out.append(token);
  return out;
}

absl::Status RocksEventStore::LoadPepper() {
  std::string pepper;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family(kKeys), kPepperKey, &pepper);
  if (s.IsNotFound() && options_.access == Access::kRead) {
    // A store that never had a writer open it since tokens existed holds no
    // token either: lookups find nothing, as they should.
    return absl::OkStatus();
  }
  if (s.IsNotFound()) {
    OGI_ASSIGN_OR_RETURN(pepper, RandomBytes(kTokenSize));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    OGI_RETURN_IF_ERROR(FromRocksDb(
        db_->Put(sync, family(kKeys), kPepperKey, pepper), "writing pepper"));
  } else {
    OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the personal-data keys"));
  }
  if (pepper.size() != kTokenSize)
    return absl::DataLossError(Text(Msg::kPepperMalformed));
  pepper_ = std::move(pepper);
  return absl::OkStatus();
}

absl::Status RocksEventStore::SealPersonalData(
    absl::Span<v1::Event* const> events, rocksdb::WriteBatch& batch,
    KeyOverlay* overlay) {
  KeyOverlay local;
  KeyOverlay& held = overlay != nullptr ? *overlay : local;
  KeyOverlay::Map& entries = held.entries;
  using Entry = KeyOverlay::Map::value_type;
  // Pointers into a node map stay valid while it grows.
  std::vector<Entry*> touched;
  // `opens_case`: a `received`, which comes once per case, so the case can
  // have no key yet and the lookup is skipped.
  auto entry_of = [&](const std::string& case_id,
                      bool opens_case =
                          false) -> absl::StatusOr<std::optional<KeyEntry>*> {
    auto [it, inserted] = entries.try_emplace(case_id);
    // Only the entries this call touched are written below: an import's
    // overlay holds every case it staged.
    touched.push_back(&*it);
    if (!inserted || opens_case) return &it->second;
    if (held.scratch != nullptr) {
      OGI_ASSIGN_OR_RETURN(std::optional<std::string> moved,
                           held.scratch->Get(ScratchStore::kKeyEntry, case_id));
      if (moved) {
        if (!moved->empty()) {
          OGI_ASSIGN_OR_RETURN(KeyEntry entry, DecodeKeyEntry(*moved, case_id));
          it->second = std::move(entry);
        }
        return &it->second;
      }
    }
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(kKeys),
                                 KeyEntryKey(case_id), &value);
    if (!s.IsNotFound()) {
      OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the personal-data keys"));
      OGI_ASSIGN_OR_RETURN(KeyEntry entry, DecodeKeyEntry(value, case_id));
      it->second = std::move(entry);
    }
    return &it->second;
  };
  for (v1::Event* event : events) {
    if (event->has_personal_data_erased()) {
      OGI_ASSIGN_OR_RETURN(std::optional<KeyEntry> * entry,
                           entry_of(event->case_id()));
      if (entry->has_value()) (*entry)->erased = true;
      continue;
    }
    v1::Applicant* applicant = MutableApplicantOf(*event);
    if (applicant == nullptr || !HasPersonalData(*applicant)) continue;
    OGI_ASSIGN_OR_RETURN(std::optional<KeyEntry> * entry,
                         entry_of(event->case_id(), event->has_received()));
    if (!entry->has_value() || (*entry)->erased) {
      // A first applicant, or new data after an erasure: a new key (the old
      // blobs name the destroyed key's id and stay erased).
      const std::optional<KeyEntry> old = std::move(*entry);
      OGI_ASSIGN_OR_RETURN(PersonalKey key, NewPersonalKey());
      *entry = KeyEntry{std::move(key), {}, true, false};
      if (old.has_value()) {  // its tokens go with the old key
        for (const std::string& token : old->tokens)
          (void)batch.Delete(family(kKeys), TokenKey(token, event->case_id()));
      }
    }
    for (std::string& token : ApplicantTokens(pepper_, *applicant)) {
      auto& tokens = (*entry)->tokens;
      if (std::find(tokens.begin(), tokens.end(), token) == tokens.end()) {
        tokens.push_back(std::move(token));
        (*entry)->changed = true;
      }
    }
    OGI_RETURN_IF_ERROR(
        SealApplicant((*entry)->key, event->case_id(), *applicant));
  }
  for (Entry* touched_entry : touched) {
    const std::string& case_id = touched_entry->first;
    std::optional<KeyEntry>& entry = touched_entry->second;
    if (!entry.has_value()) continue;
    if (entry->erased) {
      (void)batch.Delete(family(kKeys), KeyEntryKey(case_id));
      for (const std::string& token : entry->tokens)
        (void)batch.Delete(family(kKeys), TokenKey(token, case_id));
      entry.reset();  // an overlay now knows the case has no key
    } else if (entry->changed) {
      (void)batch.Put(family(kKeys), KeyEntryKey(case_id),
                      EncodeKeyEntry(*entry));
      for (const std::string& token : entry->tokens)
        (void)batch.Put(family(kKeys), TokenKey(token, case_id), "");
      entry->changed = false;
    }
  }
  return absl::OkStatus();
}

absl::Status RocksEventStore::RevealPersonalData(
    v1::Event& event, const rocksdb::ReadOptions& read) {
  v1::Applicant* applicant = MutableApplicantOf(event);
  if (applicant == nullptr || applicant->sealed().empty())
    return absl::OkStatus();
  const std::string label = absl::StrCat("position ", event.position(),
                                         " (case ", event.case_id(), ")");
  absl::StatusOr<absl::string_view> key_id = SealedKeyId(*applicant);
  if (!key_id.ok())
    return absl::DataLossError(
        Text(Msg::kLabeled, label, key_id.status().message()));
  std::string value;
  rocksdb::Status s =
      db_->Get(read, family(kKeys), KeyEntryKey(event.case_id()), &value);
  if (s.IsNotFound()) {
    MarkErased(*applicant);
    return absl::OkStatus();
  }
  OGI_RETURN_IF_ERROR(FromRocksDb(s, "reading the personal-data keys"));
  OGI_ASSIGN_OR_RETURN(KeyEntry entry, DecodeKeyEntry(value, event.case_id()));
  if (entry.key.id != *key_id) {  // sealed under a key since destroyed
    MarkErased(*applicant);
    return absl::OkStatus();
  }
  absl::Status unsealed =
      UnsealApplicant(entry.key, event.case_id(), *applicant);
  if (!unsealed.ok())
    return absl::DataLossError(Text(Msg::kLabeled, label, unsealed.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> RocksEventStore::CasesOfApplicant(
    absl::string_view value) {
  std::vector<std::string> cases;
  for (const std::string& token : LookupTokens(pepper_, value)) {
    const std::string prefix = absl::StrCat("t", token);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(kKeys)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      cases.emplace_back(it->key().data() + prefix.size(),
                         it->key().size() - prefix.size());
    }
    OGI_RETURN_IF_ERROR(
        FromRocksDb(it->status(), "reading the personal-data keys"));
  }
  std::sort(cases.begin(), cases.end());
  cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
  return cases;
}

absl::Status RocksEventStore::PurgeErasedKeys() {
  OGI_RETURN_IF_ERROR(CheckWritable());
  // Flushing every family makes the WAL files that still hold destroyed keys
  // obsolete (RocksDB deletes them); compacting "keys" to the bottom level
  // drops the deleted entries from its SST files.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  OGI_RETURN_IF_ERROR(
      FromRocksDb(db_->Flush(flush, handles_), "flushing the store"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  return FromRocksDb(
      db_->CompactRange(compact, family(kKeys), nullptr, nullptr),
      "compacting the personal-data keys");
}

}  // namespace ogi::engine_internal
