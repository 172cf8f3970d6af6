// The web console's built files (web/, docs/CONSOLE.md), embedded into the
// binary at build time by tools/embed_assets.mjs (the generated source is
// web/CMakeLists.txt's console_assets.cc).
#ifndef OGI_SERVE_CONSOLE_ASSETS_H_
#define OGI_SERVE_CONSOLE_ASSETS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace ogi {

struct ConsoleAsset {
  absl::string_view path;          // "/index.html", "/assets/index-HASH.js"
  absl::string_view content_type;  // with charset for text
  absl::string_view etag;          // quoted, from the content's SHA-256
  absl::string_view raw;
  absl::string_view gzip;  // the same bytes, gzip-compressed
};

// Every built file, in path order. Thread-safe.
const std::vector<ConsoleAsset>& ConsoleAssets();

}  // namespace ogi

#endif  // OGI_SERVE_CONSOLE_ASSETS_H_
