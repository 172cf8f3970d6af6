// Reads a file line by line through one large buffer, for imports of millions
// of lines.
#ifndef OGI_CLI_LINE_READER_H_
#define OGI_CLI_LINE_READER_H_

#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ogi {

inline constexpr size_t kMaxLineBytes = 1 << 20;

// Not thread-safe. Does not own the FILE.
class LineReader {
 public:
  // `file` must outlive the reader.
  explicit LineReader(std::FILE* file) : file_(file) {}

  // Returns the next line without its "\n" (or "\r\n"), valid until the next
  // call; nullopt at the end of the file. A UTF-8 byte order mark at the
  // start of line 1 is skipped. Returns kInvalidArgument for a line
  // longer than kMaxLineBytes and kUnavailable on a read error.
  absl::StatusOr<std::optional<absl::string_view>> Next();

  // Number of the line Next() returned last (1-based).
  uint64_t line_number() const { return line_number_; }
  // Bytes consumed so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::FILE* file_;
  std::string buffer_;
  size_t start_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace ogi

#endif  // OGI_CLI_LINE_READER_H_
