// The timed part of choreo-event-search-bench, after the fill: index lookups of each kind, then
// the same questions answered by scanning the topic, each scan's answer checked against the
// index's.
#pragma once

#include <ostream>

#include "choreo/client/admin.h"
#include "fill.h"
#include "search_options.h"

namespace choreo::bench {

// Prints the figures to `out`; false if a query failed or a scan's answer differs from the
// index's.
bool RunSearches(const SearchBenchOptions& options, const ClientOptions& client, Admin& admin,
                 const FillResult& fill, std::ostream& out);

}  // namespace choreo::bench
