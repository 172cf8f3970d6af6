// The one read-ahead pipe over the log: a thread reading RocksDB hands
// batches of records to a thread that decodes or folds them, so iteration
// overlaps the work on what was read before. Used by `ogi verify`
// (store_verify.cc) and the report index's catch-up
// (projections/internal/record_pipe.h).
#ifndef OGI_ENGINE_RECORD_BATCHES_H_
#define OGI_ENGINE_RECORD_BATCHES_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace ogi {

// Records (or log values) handed from a thread that reads the log to one
// that decodes or folds them, in order.
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

}  // namespace ogi

#endif  // OGI_ENGINE_RECORD_BATCHES_H_
