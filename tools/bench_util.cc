// Shared pieces of tools/bench; see bench_util.h. Tested by the bench_quick
// ctest.
#include "tools/bench_util.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace ogi {

std::string BenchReceivedLine(int thread, int64_t i) {
  return absl::StrFormat(
      R"({"eventId":"b-%d-%d-1","caseId":"B-%d-%d","agencyId":"bench",)"
      R"("occurredOn":"2024-03-01","received":{"applicant":{"category":)"
      R"("NATURAL_PERSON","name":"申请人%d","idNumber":"4472647041%08d"},)"
      R"("channel":"ONLINE","description":"申请公开相关政府信息"}})",
      thread, i, thread, i, i, i % 100000000);
}

absl::StatusOr<double> RunFor(
    int threads, absl::Duration duration,
    absl::FunctionRef<absl::Status(int thread, int64_t i)> op) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        absl::Status status = op(t, i);
        if (!status.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.ok()) first_error = std::move(status);
          stop = true;
          return;
        }
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  while (!stop.load() && absl::Now() - start < duration) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  stop = true;
  for (std::thread& worker : workers) worker.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  absl::MutexLock lock(&mu);
  if (!first_error.ok()) return first_error;
  return static_cast<double>(done.load()) / seconds;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(q * static_cast<double>(values.size()));
  const size_t index =
      std::min(values.size() - 1, static_cast<size_t>(std::max(rank, 1.0)) - 1);
  return values[index];
}

uint64_t BytesOnDisk(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) {
    return std::filesystem::file_size(path, error);
  }
  uint64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(path, error), end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) total += it->file_size(error);
  }
  return total;
}

absl::StatusOr<uint64_t> CountLines(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(
      std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) return absl::NotFoundError("cannot read " + path);
  std::vector<char> buffer(1 << 20);
  uint64_t lines = 0;
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    lines += static_cast<uint64_t>(
        std::count(buffer.begin(), buffer.begin() + got, '\n'));
  }
  return lines;
}

std::string Thousands(double value) {
  const std::string digits = absl::StrFormat("%.0f", std::fabs(value));
  std::string out = value <= -0.5 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace ogi
