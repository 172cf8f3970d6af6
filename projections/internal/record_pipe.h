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

namespace ogi::projections_internal {

// Records handed from the reading thread to the folding one.
struct RecordBatch {
  std::vector<uint64_t> positions;
  std::string records;       // concatenated
  std::vector<size_t> ends;  // the end of each record in `records`
  absl::string_view Record(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return absl::string_view(records).substr(begin, ends[i] - begin);
  }
};

// A bounded hand-over of batches, the emptied ones handed back for reuse.
// Thread-safe.
class RecordBatchQueue {
 public:
  static constexpr size_t kBatchRecords = 4096;
  static constexpr size_t kInFlight = 4;

  RecordBatchQueue() {
    for (size_t i = 0; i < kInFlight; ++i)
      empty_.push_back(std::make_unique<RecordBatch>());
  }
  // Returns a cleared batch; blocks until one is free.
  std::unique_ptr<RecordBatch> TakeEmpty() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &RecordBatchQueue::HasEmpty));
    std::unique_ptr<RecordBatch> batch = std::move(empty_.back());
    empty_.pop_back();
    batch->positions.clear();
    batch->records.clear();
    batch->ends.clear();
    return batch;
  }
  void GiveBack(std::unique_ptr<RecordBatch> batch) {
    absl::MutexLock lock(&mu_);
    empty_.push_back(std::move(batch));
  }
  void Push(std::unique_ptr<RecordBatch> batch) {
    absl::MutexLock lock(&mu_);
    full_.push_back(std::move(batch));
  }
  // No more batches will be pushed.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // Returns the next batch in order, or nullptr once closed and drained.
  std::unique_ptr<RecordBatch> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &RecordBatchQueue::Ready));
    if (full_.empty()) return nullptr;
    std::unique_ptr<RecordBatch> batch = std::move(full_.front());
    full_.pop_front();
    return batch;
  }

 private:
  bool HasEmpty() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !empty_.empty();
  }
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !full_.empty();
  }

  absl::Mutex mu_;
  std::vector<std::unique_ptr<RecordBatch>> empty_ ABSL_GUARDED_BY(mu_);
  std::deque<std::unique_ptr<RecordBatch>> full_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

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
