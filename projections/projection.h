// The read side: a projection folds the global log, in position order, into a
// read model.
//
// CatchUp feeds a projection every event after its checkpoint (the position of
// the last event it applied), so a projection can be brought up to date
// incrementally or rebuilt from position 1 with the same code.
#ifndef OGI_PROJECTIONS_PROJECTION_H_
#define OGI_PROJECTIONS_PROJECTION_H_

#include <cstdint>

#include "absl/status/status.h"

#include "engine/event_store.h"
#include "proto/event.pb.h"

namespace ogi {

// Not thread-safe unless an implementation says otherwise.
class Projection {
 public:
  virtual ~Projection() = default;
  // Folds one event, the one after checkpoint(). Returns kDataLoss / kInternal
  // if the event breaks the model.
  virtual absl::Status Apply(const v1::Event& event) = 0;
  // Returns the position of the last event applied (0: none).
  virtual uint64_t checkpoint() const = 0;
};

// Applies to `projection` every event of `store` after its checkpoint. Returns
// the first error of the scan or of Apply. Returns kInternal if the log has a
// gap after the checkpoint.
absl::Status CatchUp(EventStore& store, Projection& projection);

}  // namespace ogi

#endif  // OGI_PROJECTIONS_PROJECTION_H_
