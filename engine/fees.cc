// Fee bands; see fees.h.
#include "engine/fees.h"

#include <algorithm>

namespace ogi {

int64_t PerApplicationFeeFen(int64_t n) {
  if (n <= 10) return 0;
  if (n <= 30) return 100 * 100;
  return (200 + 100 * ((n - 31) / 10)) * 100;
}

int64_t PerApplicationFeesFen(int64_t first, int64_t count) {
  int64_t total = 0;
  for (int64_t n = first; n < first + count; ++n)
    total += PerApplicationFeeFen(n);
  return total;
}

int64_t PerPageFeeFen(int64_t pages) {
  auto band = [&](int64_t from, int64_t to) {  // pages in [from, to]
    return std::max<int64_t>(0, std::min(pages, to) - from + 1);
  };
  return (band(31, 100) * 10 + band(101, 200) * 20 +
          band(201, INT64_MAX / 4) * 40) *
         100;
}

}  // namespace ogi
