// The reflective JSON writer of the interchange format; see json_codec.h.
#include <charconv>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

#include "engine/json_codec.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendValue(const Message& message, const FieldDescriptor* field,
                 std::string& out) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& child = reflection->GetMessage(message, field);
      if (field->message_type()->full_name() ==
          google::protobuf::Timestamp::descriptor()->full_name()) {
        const auto& ts = static_cast<const google::protobuf::Timestamp&>(child);
        const absl::Time t =
            absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
        AppendJsonString(
            absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()),
            out);
      } else {
        out.append(MessageToJson(child));
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      // Bytes (Applicant.sealed) need not be UTF-8: base64, as in protobuf's
      // JSON mapping, keeps the line valid JSON.
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        AppendJsonString(
            absl::Base64Escape(reflection->GetString(message, field)), out);
      } else {
        AppendJsonString(reflection->GetString(message, field), out);
      }
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      // A number the schema does not name (only a damaged store holds one)
      // prints as the number, as in protobuf's JSON mapping. GetEnum would
      // invent a descriptor for it and keep it for the life of the process,
      // so memory would grow with every distinct unknown number exported.
      const int number = reflection->GetEnumValue(message, field);
      const google::protobuf::EnumValueDescriptor* value =
          field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(&out, number);
      } else {
        AppendJsonString(value->name(), out);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(&out, reflection->GetInt32(message, field));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(&out, reflection->GetInt64(message, field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(&out, reflection->GetUInt32(message, field));
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(&out, reflection->GetUInt64(message, field));
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      out.append(reflection->GetBool(message, field) ? "true" : "false");
      return;
    default:
      out.append("null");
      return;
  }
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto u = static_cast<uint8_t>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (u < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string MessageToJson(const Message& message) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  std::string out = "{";
  bool first = true;
  for (const FieldDescriptor* field : fields) {
    if (field->is_repeated()) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(field->json_name(), out);
    out.push_back(':');
    AppendValue(message, field, out);
  }
  out.push_back('}');
  return out;
}

}  // namespace ogi
