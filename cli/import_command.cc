// `ogi import`: validate the whole file first, then append it in atomic
// batches; see commands.h.
#include <atomic>
#include <cstdio>
#include <deque>
#include <malloc.h>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cli/commands.h"
#include "cli/line_reader.h"

#include "engine/clock.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Returns the input, rewound. Standard input is spooled to an anonymous
// temporary file, since the import reads its input twice (validate, then
// append).
absl::StatusOr<File> OpenInput(const std::string& path) {
  if (path != "-") {
    File file(std::fopen(path.c_str(), "rb"));
    if (file == nullptr)
      return absl::NotFoundError(absl::StrCat("cannot open ", path));
    return file;
  }
  File spool(std::tmpfile());
  if (spool == nullptr)
    return absl::UnavailableError(
        "cannot create a temporary file for standard input");
  std::vector<char> buffer(1 << 20);
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), stdin)) > 0) {
    if (std::fwrite(buffer.data(), 1, got, spool.get()) != got) {
      return absl::UnavailableError(
          "cannot spool standard input to a temporary file");
    }
  }
  if (std::ferror(stdin))
    return absl::UnavailableError("error reading standard input");
  std::rewind(spool.get());
  return spool;
}

uint64_t FileSize(std::FILE* file) {
  const long here = std::ftell(file);
  std::fseek(file, 0, SEEK_END);
  const long size = std::ftell(file);
  std::fseek(file, here, SEEK_SET);
  return size > 0 ? static_cast<uint64_t>(size) : 0;
}

bool IsBlank(absl::string_view line) {
  return absl::StripAsciiWhitespace(line).empty();
}

// One non-blank input line, parsed.
struct ParsedLine {
  uint64_t number;
  absl::StatusOr<v1::Event> event;  // or why the line could not be read
};

// Reads and parses the input on a thread of its own and hands over chunks of
// lines, so JSON parsing overlaps the store's work on the other core.
// Thread-safe between its thread and one consumer.
class ParsedLines {
 public:
  // `file` must outlive the object.
  explicit ParsedLines(std::FILE* file)
      : file_(file), thread_([this] { Run(); }) {}
  ~ParsedLines() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }
  ParsedLines(const ParsedLines&) = delete;
  ParsedLines& operator=(const ParsedLines&) = delete;

  // Returns the next chunk of lines in order; an empty chunk at the end. A
  // read error is the last line of the input.
  std::vector<ParsedLine> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ParsedLines* p) { return !p->ready_.empty() || p->done_; }, this));
    if (ready_.empty()) return {};
    std::vector<ParsedLine> chunk = std::move(ready_.front());
    ready_.pop_front();
    return chunk;
  }

  uint64_t bytes_read() const { return bytes_read_.load(); }
  uint64_t lines_read() const { return lines_read_.load(); }

 private:
  static constexpr size_t kChunkLines = 1024;
  static constexpr size_t kChunksAhead = 8;

  // Queues `chunk`, waiting while the consumer is kChunksAhead behind.
  // Returns false if the consumer has gone.
  bool Hand(std::vector<ParsedLine>& chunk) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ParsedLines* p) {
          return p->ready_.size() < kChunksAhead || p->stop_;
        },
        this));
    if (stop_) return false;
    ready_.push_back(std::move(chunk));
    chunk.clear();
    return true;
  }

  void Run() {
    LineReader reader(file_);
    std::vector<ParsedLine> chunk;
    while (true) {
      absl::StatusOr<std::optional<absl::string_view>> line = reader.Next();
      bytes_read_ = reader.bytes_read();
      lines_read_ = reader.line_number();
      if (!line.ok()) {
        chunk.push_back({reader.line_number(), line.status()});
        break;
      }
      if (!line->has_value()) break;
      if (IsBlank(**line)) continue;
      chunk.push_back({reader.line_number(),
                       ParseEventJson(**line, EngineFields::kIgnore)});
      if (chunk.size() >= kChunkLines && !Hand(chunk)) return;
    }
    if (!chunk.empty() && !Hand(chunk)) return;
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

  std::FILE* const file_;
  absl::Mutex mu_;
  std::deque<std::vector<ParsedLine>> ready_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> lines_read_{0};
  std::thread thread_;  // last: started once every member above exists
};

// Prints "\r<phase>: NN% (N lines)" on a terminal, about every 64 Ki lines.
void ShowProgress(const ImportOptions& options, std::ostream& err,
                  absl::string_view phase, const ParsedLines& lines,
                  uint64_t total_bytes, uint64_t& shown) {
  if (options.progress == Progress::kOff ||
      lines.lines_read() < shown + 65536) {
    return;
  }
  shown = lines.lines_read();
  const double percent =
      total_bytes == 0 ? 100.0 : 100.0 * lines.bytes_read() / total_bytes;
  err << absl::StrFormat("\r%s: %5.1f%% (%d lines)", phase, percent, shown)
      << std::flush;
}

}  // namespace

absl::StatusOr<ImportSummary> ImportCommand(EventStore& store,
                                            const ImportOptions& options,
                                            std::ostream& out,
                                            std::ostream& err) {
  const absl::Time start = SystemClock().Now();
  OGI_ASSIGN_OR_RETURN(File file, OpenInput(options.path));
  const uint64_t total_bytes = FileSize(file.get());
  const std::string name = options.path == "-" ? "<stdin>" : options.path;

  // Pass 1: every line against the store plus the lines accepted before it.
  // Nothing is written.
  size_t errors = 0;
  bool stopped_early = false;
  {
    // Interchange lines average about 180 bytes.
    std::unique_ptr<DryRun> dry_run = store.NewDryRun(total_bytes / 180);
    ParsedLines lines(file.get());
    uint64_t shown = 0;
    for (std::vector<ParsedLine> chunk = lines.Next();
         !chunk.empty() && !stopped_early; chunk = lines.Next()) {
      ShowProgress(options, err, "validating", lines, total_bytes, shown);
      for (ParsedLine& line : chunk) {
        absl::Status status = line.event.status();
        if (status.ok())
          status = dry_run->Check(*std::move(line.event)).status();
        if (status.ok()) continue;
        err << name << ":" << line.number << ": " << status.message() << "\n";
        if (++errors >= options.max_errors) {
          stopped_early = true;
          break;
        }
      }
    }
  }
  // The dry run's states are gone; hand their pages back before pass 2 fills
  // RocksDB's memtables, or the peak RSS is the sum of both passes.
  malloc_trim(0);
  if (options.progress == Progress::kOn) err << "\n";
  if (errors > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "import of ", name, " refused: ", errors, stopped_early ? "+" : "",
        " line(s) in error; nothing was written"));
  }

  // Pass 2: the same lines, appended in atomic batches. A crash leaves whole
  // batches; running the import again skips what is stored (by eventId) and
  // completes it.
  std::rewind(file.get());
  ImportSummary summary;
  ParsedLines lines(file.get());
  std::vector<v1::Event> batch;
  uint64_t first_line = 0;
  uint64_t last_line = 0;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    auto appended = store.Append(std::move(batch));
    batch.clear();
    if (!appended.ok()) {
      return absl::Status(appended.status().code(),
                          absl::StrCat(name, ":", first_line, "-", last_line,
                                       ": ", appended.status().message(),
                                       " (earlier batches were stored)"));
    }
    for (const AppendedEvent& a : *appended) {
      ++(a.outcome == AppendedEvent::Outcome::kAppended ? summary.appended
                                                        : summary.duplicates);
    }
    return absl::OkStatus();
  };
  uint64_t shown = 0;
  for (std::vector<ParsedLine> chunk = lines.Next(); !chunk.empty();
       chunk = lines.Next()) {
    ShowProgress(options, err, "appending", lines, total_bytes, shown);
    for (ParsedLine& line : chunk) {
      if (!line.event.ok()) {
        return absl::Status(line.event.status().code(),
                            absl::StrCat(name, ":", line.number, ": ",
                                         line.event.status().message()));
      }
      if (batch.empty()) first_line = line.number;
      last_line = line.number;
      batch.push_back(*std::move(line.event));
      if (batch.size() >= options.batch_events) OGI_RETURN_IF_ERROR(flush());
    }
  }
  OGI_RETURN_IF_ERROR(flush());
  if (options.progress == Progress::kOn) err << "\n";
  summary.lines = lines.lines_read();
  summary.seconds = absl::ToDoubleSeconds(SystemClock().Now() - start);
  const uint64_t events = summary.appended + summary.duplicates;
  out << absl::StrFormat(
      "imported %s: %d appended, %d duplicates skipped, %.2f s, %.0f "
      "events/s\n",
      name, summary.appended, summary.duplicates, summary.seconds,
      summary.seconds > 0 ? events / summary.seconds : 0.0);
  return summary;
}

}  // namespace ogi
