// The store-statistics projection behind `ogi stats`: events by payload, cases
// open and concluded, by the latest state each case reached in the log.
#ifndef OGI_PROJECTIONS_STORE_STATS_H_
#define OGI_PROJECTIONS_STORE_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"

#include "projections/projection.h"

namespace ogi {

// Not thread-safe.
class StoreStatsProjection final : public Projection {
 public:
  absl::Status Apply(const v1::Event& event) override;
  uint64_t checkpoint() const override { return checkpoint_; }

  // Events by payload name ("received", ...), in name order.
  const std::map<std::string, uint64_t>& events_by_payload() const {
    return events_by_payload_;
  }
  uint64_t cases() const { return concluded_.size(); }
  // Cases with a conclusion (answered or withdrawn) in the log.
  uint64_t concluded_cases() const { return concluded_count_; }
  // Effective dates seen: the earliest and latest (empty if no events).
  const std::string& first_date() const { return first_date_; }
  const std::string& last_date() const { return last_date_; }

 private:
  uint64_t checkpoint_ = 0;
  std::map<std::string, uint64_t> events_by_payload_;
  absl::flat_hash_map<std::string, bool> concluded_;
  uint64_t concluded_count_ = 0;
  std::string first_date_;
  std::string last_date_;
};

}  // namespace ogi

#endif  // OGI_PROJECTIONS_STORE_STATS_H_
