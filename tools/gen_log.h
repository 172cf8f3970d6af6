// The generator moved to cli/gen_log.h (the `ogi demo` command uses it).
#ifndef OGI_TOOLS_GEN_LOG_H_
#define OGI_TOOLS_GEN_LOG_H_

#include "cli/gen_log.h"

#endif  // OGI_TOOLS_GEN_LOG_H_
