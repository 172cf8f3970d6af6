// The gRPC face of the intake service (proto/service.proto).
#include <chrono>
#include <grpcpp/grpcpp.h>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

#include "engine/civil_date.h"
#include "engine/json_codec.h"
#include "engine/messages.h"
#include "proto/service.grpc.pb.h"
#include "serve/grpc_status.h"
#include "serve/internal/listeners.h"

namespace ogi::serve_internal {
namespace {

// The same caps as HTTP's (http_server.cc): a request (an Append, or one
// chunk of an Import) at most 16 MiB, an import at most 512 MiB in all.
constexpr int kMaxMessageBytes = 16 << 20;
constexpr size_t kMaxImportBytes = size_t{512} << 20;

// The path of the first string field in `bytes` (a `descriptor` message on
// the wire) that is not UTF-8, in the JSON names, e.g.
// "events[0].received.applicant.name"; empty if there is none.
std::string NonUtf8Field(const google::protobuf::Descriptor* descriptor,
                         absl::string_view bytes, const std::string& prefix) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(bytes.data()),
      static_cast<int>(bytes.size()));
  std::map<int, int> occurrences;
  while (const uint32_t tag = in.ReadTag()) {
    const FieldDescriptor* field =
        descriptor->FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
    if (field == nullptr || WireFormatLite::GetTagWireType(tag) !=
                                WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return "";
      continue;
    }
    uint32_t length = 0;
    std::string value;
    if (!in.ReadVarint32(&length) ||
        !in.ReadString(&value, static_cast<int>(length)))
      return "";
    std::string name = prefix + field->json_name();
    if (field->is_repeated())
      absl::StrAppend(&name, "[", occurrences[field->number()]++, "]");
    if (field->type() == FieldDescriptor::TYPE_STRING &&
        !IsWellFormedUtf8(value))
      return name;
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      std::string inner =
          NonUtf8Field(field->message_type(), value, name + ".");
      if (!inner.empty()) return inner;
    }
  }
  return "";
}

// Parses a request as received. gRPC's own parsing answers a string that is
// not UTF-8 with INTERNAL and no message; this names the field instead.
template <typename Request>
grpc::Status ParseRequest(const grpc::ByteBuffer& buffer, Request* request) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok())
    for (const grpc::Slice& slice : slices)
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  if (request->ParseFromString(bytes)) return grpc::Status::OK;
  const std::string field = NonUtf8Field(Request::descriptor(), bytes, "");
  if (!field.empty())
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat(field, ": string is not valid UTF-8"));
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("the request is not a well-formed ",
                   Request::descriptor()->full_name(), " message"));
}

class IntakeImpl final : public v1::Intake::Service {
 public:
  // The methods whose requests carry strings are read as raw bytes and
  // parsed by ParseRequest (method indexes as in proto/service.proto).
  explicit IntakeImpl(IntakeService& service) : service_(service) {
    RawUnary<v1::AppendRequest, v1::AppendResponse>(
        0, [this](auto* context, auto* request, auto* response) {
          return Append(context, request, response);
        });
    RawUnary<v1::ReadCaseRequest, v1::ReadCaseResponse>(
        2, [this](auto* context, auto* request, auto* response) {
          return ReadCase(context, request, response);
        });
    RawUnary<v1::ReportRequest, v1::ReportResponse>(
        4, [this](auto* context, auto* request, auto* response) {
          return Report(context, request, response);
        });
    RawUnary<v1::DeadlineRequest, v1::DeadlineResponse>(
        5, [this](auto* context, auto* request, auto* response) {
          return Deadline(context, request, response);
        });
    MarkMethodStreamed(
        1,
        new grpc::internal::BidiStreamingHandler<IntakeImpl, grpc::ByteBuffer,
                                                 v1::ImportResponse>(
            [](IntakeImpl* self, grpc::ServerContext* context,
               grpc::ServerReaderWriter<v1::ImportResponse, grpc::ByteBuffer>*
                   stream) { return self->RawImport(context, stream); },
            this));
  }

  grpc::Status AppendImpl(grpc::ServerContext* context,
                          const v1::AppendRequest* request,
                          v1::AppendResponse* response) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    std::vector<v1::Event> events(request->events().begin(),
                                  request->events().end());
    absl::StatusOr<std::vector<AppendedEvent>> appended =
        service_.Append(*caller, events);
    if (!appended.ok()) {
      if (absl::IsAborted(appended.status())) {
        // The first event whose expectation failed is named in the message;
        // the metadata gives the current version of the first event's
        // stream, which is the one a single-event append (the usual case)
        // needs to retry.
        context->AddTrailingMetadata(
            "ogi-current-version",
            absl::StrCat(service_.CurrentVersion(events.front())));
      }
      return ToGrpc(appended.status());
    }
    for (const AppendedEvent& a : *appended) {
      v1::AppendResult* result = response->add_results();
      result->set_position(a.position);
      result->set_version(a.version);
      result->set_duplicate(a.outcome == AppendedEvent::Outcome::kDuplicate);
    }
    return grpc::Status::OK;
  }

  // An import's chunks as raw bytes, parsed one by one.
  struct ImportReader {
    grpc::ServerReaderWriter<v1::ImportResponse, grpc::ByteBuffer>* stream;
    grpc::Status error;
    bool Read(v1::ImportRequest* chunk) {
      grpc::ByteBuffer buffer;
      if (!stream->Read(&buffer)) return false;
      error = ParseRequest(buffer, chunk);
      return error.ok();
    }
  };

  grpc::Status RawImport(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::ImportResponse, grpc::ByteBuffer>* stream) {
    ImportReader reader{stream, grpc::Status::OK};
    v1::ImportResponse response;
    const grpc::Status status =
        Logged(context, "Import", nullptr, &response,
               [&] { return ImportImpl(context, &reader, &response); });
    if (status.ok()) stream->Write(response);
    return status;
  }

  grpc::Status ImportImpl(grpc::ServerContext* context, ImportReader* reader,
                          v1::ImportResponse* response) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    // Before any chunk is read, as HTTP refuses before the body.
    absl::Status may = service_.CheckWrite(*caller);
    if (!may.ok()) return ToGrpc(may);
    std::vector<v1::Event> events;
    v1::ImportRequest chunk;
    size_t bytes = 0;
    while (reader->Read(&chunk)) {
      bytes += chunk.ByteSizeLong();
      if (bytes > kMaxImportBytes)
        return grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            absl::StrCat("an import body takes at most ", kMaxImportBytes >> 20,
                         " MiB; split it"));
      if (events.size() + chunk.events_size() > service_.max_import_events()) {
        // Stop reading: the service would refuse it whole anyway.
        return grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            absl::StrCat("an import over the service takes at most ",
                         service_.max_import_events(), " events"));
      }
      for (v1::Event& event : *chunk.mutable_events())
        events.push_back(std::move(event));
    }
    if (!reader->error.ok()) return reader->error;
    if (context->IsCancelled())
      return grpc::Status(grpc::StatusCode::CANCELLED,
                          "the client cancelled the import; nothing written");
    absl::StatusOr<ImportResult> result =
        service_.Import(*caller, std::move(events));
    if (!result.ok()) return ToGrpc(result.status());
    response->set_events(result->events);
    response->set_appended(result->appended);
    response->set_duplicates(result->duplicates);
    response->set_head_position(result->head_position);
    return grpc::Status::OK;
  }

  grpc::Status ReadCaseImpl(grpc::ServerContext* context,
                            const v1::ReadCaseRequest* request,
                            v1::ReadCaseResponse* response) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    absl::StatusOr<std::vector<v1::Event>> events =
        service_.ReadCase(*caller, request->case_id());
    if (!events.ok()) return ToGrpc(events.status());
    for (v1::Event& event : *events) *response->add_events() = std::move(event);
    return grpc::Status::OK;
  }

  grpc::Status SubscribeImpl(grpc::ServerContext* context,
                             const v1::SubscribeRequest* request,
                             grpc::ServerWriter<v1::Event>* writer) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    uint64_t until = 0;
    std::unique_ptr<LiveSlot> slot;
    if (request->catch_up_only()) {
      until = service_.HeadPosition();
      if (until < std::max<uint64_t>(request->from_position(), 1))
        return ToGrpc(service_.CheckSubscribe(*caller));  // nothing to send
    } else {
      absl::Status may = service_.CheckSubscribe(*caller);
      if (!may.ok()) return ToGrpc(may);
      absl::StatusOr<std::unique_ptr<LiveSlot>> reserved =
          service_.ReserveLive(*caller);
      if (!reserved.ok()) return ToGrpc(reserved.status());
      slot = *std::move(reserved);
    }
    return ToGrpc(service_.Subscribe(
        *caller, request->from_position(), until,
        [&](const v1::Event& event) { return writer->Write(event); },
        [&] { return context->IsCancelled(); }));
  }

  grpc::Status ReportImpl(grpc::ServerContext* context,
                          const v1::ReportRequest* request,
                          v1::ReportResponse* response) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    absl::Time as_of = absl::InfiniteFuture();
    if (request->has_as_of()) {
      as_of = absl::FromUnixSeconds(request->as_of().seconds()) +
              absl::Nanoseconds(request->as_of().nanos());
    }
    absl::StatusOr<RenderedReport> report =
        service_.Report(*caller, request->agency_id(), request->year(),
                        request->rollup() ? Scope::kRollup : Scope::kAgency,
                        as_of, request->format());
    if (!report.ok()) return ToGrpc(report.status());
    response->set_content_type(report->content_type);
    response->set_body(std::move(report->body));
    return grpc::Status::OK;
  }

  grpc::Status DeadlineImpl(grpc::ServerContext* context,
                            const v1::DeadlineRequest* request,
                            v1::DeadlineResponse* response) {
    absl::StatusOr<TokenInfo> caller = Authenticate(context);
    if (!caller.ok()) return ToGrpc(caller.status());
    std::optional<absl::CivilDay> on;
    if (!request->on().empty()) {
      absl::StatusOr<absl::CivilDay> day = ParseCivilDay(request->on());
      if (!day.ok())
        return ToGrpc(absl::InvalidArgumentError(
            absl::StrCat("on: ", day.status().message())));
      on = *day;
    }
    absl::StatusOr<std::string> json =
        service_.Deadline(*caller, request->case_id(), on);
    if (!json.ok()) return ToGrpc(json.status());
    response->set_json(*std::move(json));
    return grpc::Status::OK;
  }

  grpc::Status HealthImpl(grpc::ServerContext*, const v1::HealthRequest*,
                          v1::HealthResponse* response) {
    response->set_status(service_.IsServing()
                             ? v1::HealthResponse::SERVING
                             : v1::HealthResponse::SHUTTING_DOWN);
    response->set_head_position(service_.HeadPosition());
    return grpc::Status::OK;
  }

  grpc::Status Append(grpc::ServerContext* context,
                      const v1::AppendRequest* request,
                      v1::AppendResponse* response) override {
    return Logged(context, "Append", request, response,
                  [&] { return AppendImpl(context, request, response); });
  }
  grpc::Status ReadCase(grpc::ServerContext* context,
                        const v1::ReadCaseRequest* request,
                        v1::ReadCaseResponse* response) override {
    return Logged(context, "ReadCase", request, response,
                  [&] { return ReadCaseImpl(context, request, response); });
  }
  grpc::Status Subscribe(grpc::ServerContext* context,
                         const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::Event>* writer) override {
    return Logged(context, "Subscribe", request, nullptr,
                  [&] { return SubscribeImpl(context, request, writer); });
  }
  grpc::Status Report(grpc::ServerContext* context,
                      const v1::ReportRequest* request,
                      v1::ReportResponse* response) override {
    return Logged(context, "Report", request, response,
                  [&] { return ReportImpl(context, request, response); });
  }
  grpc::Status Deadline(grpc::ServerContext* context,
                        const v1::DeadlineRequest* request,
                        v1::DeadlineResponse* response) override {
    return Logged(context, "Deadline", request, response,
                  [&] { return DeadlineImpl(context, request, response); });
  }
  grpc::Status Health(grpc::ServerContext* context,
                      const v1::HealthRequest* request,
                      v1::HealthResponse* response) override {
    return Logged(context, "Health", request, response,
                  [&] { return HealthImpl(context, request, response); });
  }

 private:
  // Serves method `index` from its raw bytes: parsed by ParseRequest, then
  // `call` (an override above); a refused parse is logged as the call.
  template <typename Request, typename Response, typename Call>
  void RawUnary(int index, Call call) {
    MarkMethodStreamed(
        index,
        new grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer, Response>(
            [this, call](
                grpc::ServerContext* context,
                grpc::ServerUnaryStreamer<grpc::ByteBuffer, Response>* stream) {
              grpc::ByteBuffer buffer;
              Request request;
              Response response;
              grpc::Status status =
                  stream->Read(&buffer)
                      ? ParseRequest(buffer, &request)
                      : grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     "no request message");
              if (!status.ok()) {
                const char* name = Request::descriptor()->name().c_str();
                absl::string_view operation(name);
                operation.remove_suffix(7);  // "Request"
                return Logged(context, operation, nullptr, nullptr,
                              [&] { return status; });
              }
              status = call(context, &request, &response);
              if (status.ok()) stream->Write(response);
              return status;
            }));
  }

  // Runs the call and records it in the access log.
  template <typename Call>
  grpc::Status Logged(grpc::ServerContext* context, absl::string_view operation,
                      const google::protobuf::Message* request,
                      const google::protobuf::Message* response, Call call) {
    const auto start = std::chrono::steady_clock::now();
    const grpc::Status status = call();
    RequestRecord record;
    record.protocol = "grpc";
    record.operation = operation;
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    record.token_name = it == metadata.end()
                            ? "-"
                            : service_.LogName(absl::string_view(
                                  it->second.data(), it->second.size()));
    record.code = static_cast<absl::StatusCode>(status.error_code());
    if (request != nullptr) record.bytes_in = request->ByteSizeLong();
    if (response != nullptr && status.ok())
      record.bytes_out = response->ByteSizeLong();
    record.duration =
        absl::FromChrono(std::chrono::steady_clock::now() - start);
    service_.RecordRequest(record);
    return status;
  }

  absl::StatusOr<TokenInfo> Authenticate(grpc::ServerContext* context) {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    if (it == metadata.end())
      return service_.Authenticate("");  // refused, with the usual message
    return service_.Authenticate(
        absl::string_view(it->second.data(), it->second.size()));
  }

  IntakeService& service_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcListener>> StartGrpc(
    IntakeService& service, const std::string& address, const TlsFiles& tls) {
  auto listener = std::make_unique<GrpcListener>();
  listener->impl = std::make_unique<IntakeImpl>(service);
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (tls.enabled()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }
  builder.AddListeningPort(address, credentials, &listener->port);
  builder.RegisterService(listener->impl.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  // Appends block on the group commit's fsync, so each one in flight holds a
  // thread. gRPC's sync server ends a thread when more than MAX_POLLERS are
  // idle and starts one when fewer than MIN_POLLERS are: with a small maximum
  // every burst of 32 clients created and destroyed threads (a third of the
  // server's CPU in perf: task switches, unmapping stacks, malloc arenas).
  // Keeping up to 128 idle threads measured 1.2-1.4x the appends/s of 8.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 128);
  listener->server = builder.BuildAndStart();
  if (listener->server == nullptr || listener->port == 0)
    return absl::UnavailableError(Text(Msg::kServeGrpcCannotListen, address));
  return listener;
}

GrpcListener::~GrpcListener() = default;

void GrpcListener::Shutdown() {
  if (server != nullptr) {
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    server->Wait();
  }
}

}  // namespace ogi::serve_internal
