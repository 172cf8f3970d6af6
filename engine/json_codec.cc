// The strict reflective JSON parser of the interchange format; see
// json_codec.h (the writer is json_write.cc).
#include "engine/json_codec.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

#include "engine/messages.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 16;

bool IsTimestamp(const Descriptor* descriptor) {
  return descriptor->full_name() ==
         google::protobuf::Timestamp::descriptor()->full_name();
}

// Returns true if `text` is well-formed UTF-8 (no overlongs, no surrogates, at
// most U+10FFFF).
bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A recursive-descent parser over one line. Errors carry the dotted path of the
// field being parsed.
class Parser {
 public:
  Parser(absl::string_view text, EngineFields engine_fields)
      : p_(text.data()),
        end_(text.data() + text.size()),
        engine_fields_(engine_fields) {}

  absl::Status ParseTop(Message& message) {
    SkipSpace();
    OGI_RETURN_IF_ERROR(ParseObject(message, "", 0));
    SkipSpace();
    if (p_ != end_) return Syntax(Text(Msg::kJsonTrailingText));
    return absl::OkStatus();
  }

 private:
  absl::Status Syntax(absl::string_view what) const {
    return absl::InvalidArgumentError(Text(Msg::kJsonMalformed, what));
  }
  static absl::Status FieldError(absl::string_view path,
                                 absl::string_view what) {
    return absl::InvalidArgumentError(Text(Msg::kJsonField, path, what));
  }

  void SkipSpace() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n'))
      ++p_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  bool ConsumeLiteral(absl::string_view word) {
    if (static_cast<size_t>(end_ - p_) >= word.size() &&
        absl::string_view(p_, word.size()) == word) {
      p_ += word.size();
      return true;
    }
    return false;
  }

  // Parses a JSON string (the opening quote not yet consumed) into `out`,
  // unescaped and checked as UTF-8.
  absl::Status ParseString(std::string& out) {
    SkipSpace();
    if (p_ == end_ || *p_ != '"') return Syntax(Text(Msg::kJsonExpectedString));
    ++p_;
    out.clear();
    const char* run = p_;
    while (true) {
      if (p_ == end_) return Syntax(Text(Msg::kJsonUnterminatedString));
      const char c = *p_;
      if (c == '"') break;
      if (static_cast<uint8_t>(c) < 0x20)
        return Syntax(Text(Msg::kJsonControlCharacter));
      if (c != '\\') {
        ++p_;
        continue;
      }
      out.append(run, p_ - run);
      ++p_;
      if (p_ == end_) return Syntax(Text(Msg::kJsonUnterminatedEscape));
      const char e = *p_++;
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          OGI_RETURN_IF_ERROR(ParseHex4(cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (!ConsumeLiteral("\\u"))
              return Syntax(Text(Msg::kJsonUnpairedSurrogate));
            OGI_RETURN_IF_ERROR(ParseHex4(low));
            if (low < 0xDC00 || low > 0xDFFF)
              return Syntax(Text(Msg::kJsonUnpairedSurrogate));
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Syntax(Text(Msg::kJsonUnpairedSurrogate));
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Syntax(Text(Msg::kJsonInvalidEscape));
      }
      run = p_;
    }
    out.append(run, p_ - run);
    ++p_;
    if (!IsValidUtf8(out)) return Syntax(Text(Msg::kJsonNotUtf8));
    return absl::OkStatus();
  }

  absl::Status ParseHex4(uint32_t& cp) {
    if (end_ - p_ < 4) return Syntax(Text(Msg::kJsonShortEscape));
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = *p_++;
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= h - '0';
      } else if (h >= 'a' && h <= 'f') {
        cp |= h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        cp |= h - 'A' + 10;
      } else {
        return Syntax(Text(Msg::kJsonInvalidUEscape));
      }
    }
    return absl::OkStatus();
  }

  // Skips any JSON value (used for nothing but error recovery is not attempted:
  // unknown fields are errors). Parses an integer written as a JSON number or
  // as a decimal string; refuses fractions and exponents.
  template <typename T>
  absl::Status ParseInteger(absl::string_view path, T& out) {
    SkipSpace();
    std::string quoted;
    absl::string_view digits;
    if (p_ != end_ && *p_ == '"') {
      OGI_RETURN_IF_ERROR(ParseString(quoted));
      digits = quoted;
    } else {
      const char* start = p_;
      if (p_ != end_ && *p_ == '-') ++p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) {
        return FieldError(path, Text(Msg::kJsonWholeNumber));
      }
      digits = absl::string_view(start, p_ - start);
    }
    if (digits.empty() || digits == "-")
      return FieldError(path, Text(Msg::kJsonWholeNumber));
    if (digits.size() > 1 &&
        (digits[0] == '0' || (digits[0] == '-' && digits[1] == '0'))) {
      return FieldError(path, Text(Msg::kJsonLeadingZeros));
    }
    const auto result =
        std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (result.ec == std::errc::result_out_of_range)
      return FieldError(path, Text(Msg::kJsonOutOfRange));
    if (result.ec != std::errc() ||
        result.ptr != digits.data() + digits.size()) {
      return FieldError(path, Text(Msg::kJsonWholeNumber));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTimestamp(absl::string_view path, Message& message) {
    std::string text;
    OGI_RETURN_IF_ERROR(ParseString(text));
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
      return FieldError(path, Text(Msg::kJsonInstant));
    }
    auto& ts = static_cast<google::protobuf::Timestamp&>(message);
    const int64_t seconds = absl::ToUnixSeconds(t);
    ts.set_seconds(seconds);
    ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                      absl::Nanoseconds(1)));
    return absl::OkStatus();
  }

  absl::Status ParseField(Message& message, const FieldDescriptor* field,
                          const std::string& path, int depth) {
    const Reflection* reflection = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = reflection->MutableMessage(&message, field);
        if (IsTimestamp(field->message_type()))
          return ParseTimestamp(path, *child);
        return ParseObject(*child, path, depth + 1);
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string value;
        SkipSpace();
        if (p_ == end_ || *p_ != '"')
          return FieldError(path, Text(Msg::kJsonMustBeString));
        OGI_RETURN_IF_ERROR(ParseString(value));
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          std::string bytes;
          if (!absl::Base64Unescape(value, &bytes))
            return FieldError(path, Text(Msg::kJsonBase64));
          value = std::move(bytes);
        }
        reflection->SetString(&message, field, std::move(value));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        std::string name;
        SkipSpace();
        if (p_ == end_ || *p_ != '"')
          return FieldError(path, Text(Msg::kJsonEnumString));
        OGI_RETURN_IF_ERROR(ParseString(name));
        const auto* value = field->enum_type()->FindValueByName(name);
        if (value == nullptr || value->number() == 0) {
          // Enum names are codes, never personal data, so the value may be
          // quoted (truncated).
          return FieldError(path, Text(Msg::kJsonUnknownValue,
                                       absl::string_view(name).substr(0, 48)));
        }
        reflection->SetEnumValue(&message, field, value->number());
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v = 0;
        OGI_RETURN_IF_ERROR(ParseInteger(path, v));
        reflection->SetInt32(&message, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = 0;
        OGI_RETURN_IF_ERROR(ParseInteger(path, v));
        reflection->SetInt64(&message, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = 0;
        OGI_RETURN_IF_ERROR(ParseInteger(path, v));
        reflection->SetUInt32(&message, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = 0;
        OGI_RETURN_IF_ERROR(ParseInteger(path, v));
        reflection->SetUInt64(&message, field, v);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        SkipSpace();
        if (ConsumeLiteral("true")) {
          reflection->SetBool(&message, field, true);
        } else if (ConsumeLiteral("false")) {
          reflection->SetBool(&message, field, false);
        } else {
          return FieldError(path, Text(Msg::kJsonBool));
        }
        return absl::OkStatus();
      }
      default:
        return FieldError(path, Text(Msg::kJsonUnusedType));
    }
  }

  absl::Status ParseObject(Message& message, const std::string& parent,
                           int depth) {
    if (depth >= kMaxDepth) return Syntax(Text(Msg::kJsonTooDeep));
    if (!Consume('{')) {
      return parent.empty() ? Syntax(Text(Msg::kJsonExpectedObject))
                            : FieldError(parent, Text(Msg::kJsonMustBeObject));
    }
    const Descriptor* descriptor = message.GetDescriptor();
    const Reflection* reflection = message.GetReflection();
    std::vector<int> seen;
    std::string key;
    if (Consume('}')) return absl::OkStatus();
    while (true) {
      SkipSpace();
      OGI_RETURN_IF_ERROR(ParseString(key));
      if (!Consume(':')) return Syntax(Text(Msg::kJsonExpectedColon));
      std::string path = parent.empty() ? key : absl::StrCat(parent, ".", key);
      const FieldDescriptor* field = descriptor->FindFieldByCamelcaseName(key);
      if (field == nullptr || field->is_repeated() ||
          field->json_name() != key) {
        return FieldError(absl::string_view(path).substr(0, 160),
                          Text(Msg::kJsonUnknownField));
      }
      for (int number : seen) {
        if (number == field->number())
          return FieldError(path, Text(Msg::kJsonTwice));
      }
      seen.push_back(field->number());
      const bool engine_field =
          parent.empty() &&
          (key == "recordedAt" || key == "version" || key == "position");
      if (engine_field && engine_fields_ == EngineFields::kRefuse) {
        return FieldError(path, Text(Msg::kJsonEngineField));
      }
      SkipSpace();
      if (ConsumeLiteral("null")) {
        // JSON null means "not set".
      } else {
        if (const auto* oneof = field->containing_oneof(); oneof != nullptr) {
          if (const FieldDescriptor* other =
                  reflection->GetOneofFieldDescriptor(message, oneof);
              other != nullptr && other != field) {
            return FieldError(
                path, Text(Msg::kJsonOnePayload, other->json_name(), key));
          }
        }
        OGI_RETURN_IF_ERROR(ParseField(message, field, path, depth));
        if (engine_field) reflection->ClearField(&message, field);
      }
      if (Consume(',')) continue;
      if (Consume('}')) return absl::OkStatus();
      return Syntax(Text(Msg::kJsonExpectedCommaOrBrace));
    }
  }

  const char* p_;
  const char* end_;
  EngineFields engine_fields_;
};

}  // namespace

bool IsWellFormedUtf8(absl::string_view text) { return IsValidUtf8(text); }

absl::StatusOr<v1::Event> ParseEventJson(absl::string_view json,
                                         EngineFields engine_fields) {
  v1::Event event;
  Parser parser(json, engine_fields);
  OGI_RETURN_IF_ERROR(parser.ParseTop(event));
  return event;
}

}  // namespace ogi
