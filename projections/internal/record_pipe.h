// EventStore::ScanRecords with the reading on a second thread: RocksDB's
// iteration (block reads, decompression, merging levels) overlaps the caller's
// fold of the records read before. Never included outside projections/.
#ifndef OGI_PROJECTIONS_INTERNAL_RECORD_PIPE_H_
#define OGI_PROJECTIONS_INTERNAL_RECORD_PIPE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "engine/event_store.h"
#include "engine/record_batches.h"

namespace ogi::projections_internal {

using ogi::RecordBatch;
using ogi::RecordBatchQueue;

// Calls `visit` on the calling thread with each record from position `from`,
// in order, as store.ScanRecords(from, visit, check) does, while a second
// thread reads ahead. Returns the first failure of `visit` (after which it is
// not called again and the reading stops), else the scan's status. `store`
// must be safe to read from two threads (EventStore is thread-safe).
inline absl::Status ScanRecordsAhead(
    EventStore& store, uint64_t from,
    absl::FunctionRef<absl::Status(const EventStore::StoredRecord&)> visit,
    EventStore::ChainCheck check) {
  RecordBatchQueue queue;
  std::atomic<bool> stop{false};
  absl::Status scanned;  // written by `reader`, read after it is joined
  std::thread reader([&] {
    std::unique_ptr<RecordBatch> batch = queue.TakeEmpty();
    scanned = store.ScanRecords(
        from,
        [&](const EventStore::StoredRecord& r) -> absl::Status {
          if (stop.load(std::memory_order_relaxed))
            return absl::CancelledError();
          batch->positions.push_back(r.position);
          batch->records.append(r.record.data(), r.record.size());
          batch->ends.push_back(batch->records.size());
          if (batch->ends.size() == RecordBatchQueue::kBatchRecords) {
            queue.Push(std::move(batch));
            batch = queue.TakeEmpty();
          }
          return absl::OkStatus();
        },
        check);
    if (!batch->ends.empty()) queue.Push(std::move(batch));
    queue.Close();
  });
  absl::Status visited;
  // Drained to the end even after a failure, so that the reader, which may
  // wait for a free batch, always finishes.
  while (std::unique_ptr<RecordBatch> batch = queue.Next()) {
    for (size_t i = 0; i < batch->ends.size() && visited.ok(); ++i) {
      visited = visit({batch->positions[i], batch->Record(i)});
      if (!visited.ok()) stop.store(true, std::memory_order_relaxed);
    }
    queue.GiveBack(std::move(batch));
  }
  reader.join();
  return visited.ok() ? scanned : visited;
}

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_RECORD_PIPE_H_
