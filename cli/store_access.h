// How each `ogi` command may use the store in --db: create it, write an
// existing one, or only read it (writing nothing into its folder, even while
// `ogi serve` writes it). One home for the refusals and notes this gives,
// until they move into the message catalogue (issue 18).
#ifndef OGI_CLI_STORE_ACCESS_H_
#define OGI_CLI_STORE_ACCESS_H_

#include <iosfwd>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

#include "engine/event_store.h"

namespace ogi {

enum class StoreUse {
  kCreate,  // import, append: may create the store
  kDemo,    // demo: creates it, and refuses a store that holds events
  kWrite,   // erase-personal-data: writes an existing store
  kRead,    // every other command: reads an existing store only
};

// Returns the refusal for a folder that holds no store: kNotFound, "no ogi
// store at DIR (give --db or set OGI_DB)".
absl::Status NoStoreError(const std::string& db);

// Returns the note a command that created the store in `db` prints once it
// succeeded: "created a new store at DIR".
std::string CreatedStoreNote(const std::string& db);

// Opens the store in `db` for `use` (kCreate and kDemo create it if missing:
// EventStore::Exists before tells). kNotFound (NoStoreError) if there is
// none and `use` may not create one. kFailedPrecondition for kDemo on
// a store that holds events. kWrite, kCreate on a store `ogi serve` holds: the
// open error with where it is served. kRead on a store another process
// writes: writes to `err` the position the answers are as of.
absl::StatusOr<std::unique_ptr<EventStore>> OpenStore(const std::string& db,
                                                      StoreUse use,
                                                      std::ostream& err);

}  // namespace ogi

#endif  // OGI_CLI_STORE_ACCESS_H_
