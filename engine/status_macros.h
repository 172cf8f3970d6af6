// Status propagation helpers, modelled on Arrow's: the Abseil in Debian 12 has
// none.
//
//   OGI_RETURN_IF_ERROR(store->Append(events));
//   OGI_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
//   EventStore::Open(options));
#ifndef OGI_ENGINE_STATUS_MACROS_H_
#define OGI_ENGINE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define OGI_STATUS_CONCAT_INNER_(a, b) a##b
#define OGI_STATUS_CONCAT_(a, b) OGI_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function
// if it is not OK.
#define OGI_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status ogi_status_ = (expr);       \
    if (!ogi_status_.ok()) return ogi_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else
// moves the value into `lhs`, which may be a declaration.
#define OGI_ASSIGN_OR_RETURN(lhs, rexpr)                                       \
  OGI_ASSIGN_OR_RETURN_IMPL_(OGI_STATUS_CONCAT_(ogi_statusor_, __LINE__), lhs, \
                             rexpr)

#define OGI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return statusor.status();          \
  lhs = std::move(*statusor)

#endif  // OGI_ENGINE_STATUS_MACROS_H_
