// `ogi report --extras`: what the official tables cannot show.
#ifndef OGI_READ_REPORT_EXTRAS_H_
#define OGI_READ_REPORT_EXTRAS_H_

#include <string>

#include "absl/status/statusor.h"

#include "engine/calendar.h"
#include "engine/event_store.h"
#include "projections/annual_report.h"
#include "projections/report_render.h"

namespace ogi {

// What the official tables cannot show, for the request's agency (or
// roll-up) and year, overall and by channel and by applicant category: cases
// concluded in the year, on time and late (against ComputeDeadline), the
// on-time rate, the median and 90th-percentile working days from day 0 to the
// conclusion, and the cases still open and past due on 31 December. A JSON
// object for kJson, else a text table.
absl::StatusOr<std::string> ReportExtras(EventStore& store,
                                         const ReportRequest& request,
                                         const Calendar& calendar,
                                         ReportFormat format);

}  // namespace ogi

#endif  // OGI_READ_REPORT_EXTRAS_H_
