// What the read side's answers are written as, and the JSON pieces they share.
#ifndef OGI_READ_OUTPUT_H_
#define OGI_READ_OUTPUT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"

namespace ogi {

enum class OutputFormat { kText, kJson };

// `text` as a JSON string literal, quotes included.
inline std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

// "YYYY-MM-DD" as a JSON string, or null.
inline std::string JsonDay(const std::optional<absl::CivilDay>& day) {
  return day ? JsonString(FormatCivilDay(*day)) : "null";
}

}  // namespace ogi

#endif  // OGI_READ_OUTPUT_H_
