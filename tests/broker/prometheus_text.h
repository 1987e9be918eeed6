// A validator for the Prometheus text exposition format (version 0.0.4), and a small parser for
// reading sample values back, shared by the metrics tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace choreo::broker::testing {

// Checks `text` against the rules scrapers enforce: every line is a comment (# HELP / # TYPE) or
// a sample `name{labels} value`; metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; label names
// [a-zA-Z_][a-zA-Z0-9_]*; label values are quoted with \\, \" and \n escapes; values are floats
// (or NaN/+Inf/-Inf); a family's TYPE precedes its samples and appears once, and its samples are
// contiguous; histogram buckets are cumulative and end in le="+Inf" equal to _count; counters
// are not negative; the text ends with a newline.
::testing::AssertionResult IsValidPrometheusText(const std::string& text);

// Sample value by its exact series text, e.g. `choreo_requests_total{api="produce"}`; the
// series text is as rendered (labels in rendering order). nullopt if absent.
std::optional<double> SampleValue(const std::string& text, const std::string& series);

// Every sample of the text, keyed by series text.
std::map<std::string, double> ParseSamples(const std::string& text);

}  // namespace choreo::broker::testing
