// Catch-up of projections over the global log; see projection.h.
#include "projections/projection.h"

#include "absl/strings/str_cat.h"

namespace ogi {

absl::Status CatchUp(EventStore& store, Projection& projection) {
  return store.ScanLog(
      projection.checkpoint() + 1, [&](const v1::Event& event) -> absl::Status {
        if (event.position() != projection.checkpoint() + 1) {
          return absl::InternalError(absl::StrCat(
              "log gap: expected position ", projection.checkpoint() + 1,
              ", found ", event.position()));
        }
        return projection.Apply(event);
      });
}

}  // namespace ogi
