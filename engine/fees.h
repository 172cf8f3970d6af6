// Information-processing fees (信息处理费, 国办函〔2020〕109号; docs/FEES.md):
// both methods are marginal — each unit is charged at the rate of its band.
#ifndef OGI_ENGINE_FEES_H_
#define OGI_ENGINE_FEES_H_

#include <cstdint>

namespace ogi {

// The fee, in fen, of an applicant's n-th application (n >= 1) to an agency in
// a calendar month: 1–10 free, 11–30 100 yuan, 31–40 200 yuan, 41–50 300
// yuan, each further band of 10 100 yuan more.
int64_t PerApplicationFeeFen(int64_t n);

// The fee, in fen, of the applications numbered first..first+count-1 in the
// month (a multi-item application counts each item).
int64_t PerApplicationFeesFen(int64_t first, int64_t count);

// The fee, in fen, for `pages` pages: 1–30 free, 31–100 10 yuan a page,
// 101–200 20 yuan, 201 and more 40 yuan.
int64_t PerPageFeeFen(int64_t pages);

// Returns a + b, or INT64_MAX / INT64_MIN where that would overflow: the
// projections add amounts and counts with it, so a sum never wraps (each
// term is bounded by engine/validate.h's maxima, so it takes millions of
// maximal events in one agency-year to reach the limit at all).
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

}  // namespace ogi

#endif  // OGI_ENGINE_FEES_H_
