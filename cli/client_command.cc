#include "cli/client_command.h"

#include <fstream>
#include <grpcpp/grpcpp.h>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/json_codec.h"
#include "engine/messages.h"
#include "engine/status_macros.h"
#include "proto/service.grpc.pb.h"
#include "serve/grpc_status.h"

namespace ogi {
namespace {

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(Text(Msg::kCannotRead, path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The events of JSON Lines text (one object per line, blank lines skipped);
// refusals name the line.
absl::StatusOr<std::vector<v1::Event>> ParseLines(absl::string_view text,
                                                  EngineFields fields) {
  std::vector<v1::Event> events;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<v1::Event> event = ParseEventJson(line, fields);
    if (!event.ok())
      return absl::InvalidArgumentError(
          Text(Msg::kAtLine, number, event.status().message()));
    events.push_back(*std::move(event));
  }
  return events;
}

}  // namespace

absl::Status ClientCommand(const ClientOptions& options,
                           const ClientRequest& request, std::ostream& out) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.ca_cert.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    OGI_ASSIGN_OR_RETURN(std::string pem, ReadInput(options.ca_cert));
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem;
    credentials = grpc::SslCredentials(ssl);
  }
  auto stub =
      v1::Intake::NewStub(grpc::CreateChannel(options.address, credentials));
  grpc::ClientContext context;
  if (!options.token.empty())
    context.AddMetadata("authorization", "Bearer " + options.token);

  switch (request.call) {
    case ClientCall::kAppend: {
      std::string text = request.input;
      if (text.empty()) {
        OGI_ASSIGN_OR_RETURN(text, ReadInput("-"));
      }
      OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                           ParseLines(text, EngineFields::kRefuse));
      v1::AppendRequest call;
      for (v1::Event& e : events) *call.add_events() = std::move(e);
      v1::AppendResponse response;
      OGI_RETURN_IF_ERROR(FromGrpc(stub->Append(&context, call, &response)));
      for (const v1::AppendResult& r : response.results()) {
        out << Text(Msg::kClientAppended, r.position(), r.version(),
                    r.duplicate() ? Text(Msg::kClientDuplicate) : std::string())
            << "\n";
      }
      return absl::OkStatus();
    }
    case ClientCall::kImport: {
      OGI_ASSIGN_OR_RETURN(std::string text, ReadInput(request.input));
      OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                           ParseLines(text, EngineFields::kIgnore));
      v1::ImportResponse response;
      auto writer = stub->Import(&context, &response);
      constexpr size_t kChunk = 1000;
      for (size_t begin = 0; begin < events.size(); begin += kChunk) {
        v1::ImportRequest chunk;
        for (size_t i = begin; i < std::min(events.size(), begin + kChunk); ++i)
          *chunk.add_events() = std::move(events[i]);
        if (!writer->Write(chunk)) break;
      }
      writer->WritesDone();
      OGI_RETURN_IF_ERROR(FromGrpc(writer->Finish()));
      out << Text(Msg::kClientImported, response.events(), response.appended(),
                  response.duplicates(), response.head_position())
          << "\n";
      return absl::OkStatus();
    }
    case ClientCall::kCase: {
      v1::ReadCaseRequest call;
      call.set_case_id(request.case_id);
      v1::ReadCaseResponse response;
      OGI_RETURN_IF_ERROR(FromGrpc(stub->ReadCase(&context, call, &response)));
      for (const v1::Event& e : response.events())
        out << MessageToJson(e) << "\n";
      return absl::OkStatus();
    }
    case ClientCall::kSubscribe: {
      v1::SubscribeRequest call;
      call.set_from_position(request.from);
      call.set_catch_up_only(!request.follow);
      auto reader = stub->Subscribe(&context, call);
      v1::Event event;
      while (reader->Read(&event)) out << MessageToJson(event) << std::endl;
      return FromGrpc(reader->Finish());
    }
    case ClientCall::kReport: {
      v1::ReportRequest call;
      call.set_agency_id(request.agency_id);
      call.set_year(request.year);
      call.set_rollup(request.rollup);
      call.set_format(request.format);
      v1::ReportResponse response;
      OGI_RETURN_IF_ERROR(FromGrpc(stub->Report(&context, call, &response)));
      out << response.body();
      return absl::OkStatus();
    }
    case ClientCall::kDeadline: {
      v1::DeadlineRequest call;
      call.set_case_id(request.case_id);
      call.set_on(request.on);
      v1::DeadlineResponse response;
      OGI_RETURN_IF_ERROR(FromGrpc(stub->Deadline(&context, call, &response)));
      out << response.json();
      return absl::OkStatus();
    }
    case ClientCall::kHealth: {
      v1::HealthResponse response;
      OGI_RETURN_IF_ERROR(
          FromGrpc(stub->Health(&context, v1::HealthRequest(), &response)));
      out << Text(Msg::kClientHealth,
                  v1::HealthResponse::ServingStatus_Name(response.status()),
                  response.head_position())
          << "\n";
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown call");
}

}  // namespace ogi
