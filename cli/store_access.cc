#include "cli/store_access.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/serve_command.h"

#include "engine/messages.h"
#include "engine/status_macros.h"

namespace ogi {

absl::Status NoStoreError(const std::string& db) {
  return absl::NotFoundError(Text(Msg::kNoStore, db));
}

std::string CreatedStoreNote(const std::string& db) {
  return Text(Msg::kCliCreatedStore, db);
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenStore(const std::string& db,
                                                      StoreUse use,
                                                      std::ostream& err) {
  const bool exists = EventStore::Exists(db);
  if (!exists && (use == StoreUse::kWrite || use == StoreUse::kRead))
    return NoStoreError(db);
  if (use == StoreUse::kDemo && exists) {
    // Looked at without writing, so a refused demo leaves the store as it was.
    OGI_ASSIGN_OR_RETURN(
        std::unique_ptr<EventStore> existing,
        EventStore::Open({.path = db, .access = EventStore::Access::kRead}));
    if (const uint64_t events = existing->HeadPosition(); events > 0) {
      return absl::FailedPreconditionError(
          Text(Msg::kDemoStoreNotEmpty, db, events));
    }
  }
  EventStore::Access access = EventStore::Access::kRead;
  if (use == StoreUse::kCreate || use == StoreUse::kDemo)
    access = EventStore::Access::kCreate;
  if (use == StoreUse::kWrite) access = EventStore::Access::kWrite;
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = db, .access = access});
  if (!store.ok()) {
    if (absl::IsNotFound(store.status())) return NoStoreError(db);
    return ExplainServedStore(db, store.status());
  }
  if ((*store)->ReadsBehindWriter()) {
    err << "ogi: " << Text(Msg::kBehindWriter, db, (*store)->HeadPosition())
        << "\n";
  }
  return store;
}

}  // namespace ogi
