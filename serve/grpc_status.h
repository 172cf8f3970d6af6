// The one place where absl::Status and grpc::Status meet. absl's canonical
// codes and gRPC's have the same names and numbers.
#ifndef OGI_SERVE_GRPC_STATUS_H_
#define OGI_SERVE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>
#include <string>

#include "absl/status/status.h"

namespace ogi {

inline grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

inline absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace ogi

#endif  // OGI_SERVE_GRPC_STATUS_H_
