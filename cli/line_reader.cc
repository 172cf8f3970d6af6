// The buffered line reader; see line_reader.h.
#include "cli/line_reader.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/messages.h"

namespace ogi {
namespace {
constexpr size_t kChunk = 1 << 20;
}  // namespace

absl::StatusOr<std::optional<absl::string_view>> LineReader::Next() {
  while (true) {
    const size_t newline = buffer_.find('\n', start_);
    if (newline != std::string::npos || (eof_ && start_ < buffer_.size())) {
      const size_t end =
          newline == std::string::npos ? buffer_.size() : newline;
      absl::string_view line(buffer_.data() + start_, end - start_);
      bytes_read_ += end - start_ + (newline == std::string::npos ? 0 : 1);
      start_ = end + 1;
      ++line_number_;
      if (line.size() > kMaxLineBytes) {
        return absl::InvalidArgumentError(
            Text(Msg::kLineTooLong, kMaxLineBytes));
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      // Editors on Windows start UTF-8 files with a byte order mark.
      if (line_number_ == 1 && absl::StartsWith(line, "\xEF\xBB\xBF"))
        line.remove_prefix(3);
      return std::optional<absl::string_view>(line);
    }
    if (eof_) return std::optional<absl::string_view>();
    if (buffer_.size() - start_ > kMaxLineBytes + 1) {
      ++line_number_;
      return absl::InvalidArgumentError(Text(Msg::kLineTooLong, kMaxLineBytes));
    }
    buffer_.erase(0, start_);
    start_ = 0;
    const size_t old = buffer_.size();
    buffer_.resize(old + kChunk);
    const size_t got = std::fread(buffer_.data() + old, 1, kChunk, file_);
    buffer_.resize(old + got);
    if (got < kChunk) {
      if (std::ferror(file_))
        return absl::UnavailableError(Text(Msg::kInputError));
      eof_ = true;
    }
  }
}

}  // namespace ogi
