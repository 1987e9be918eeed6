#include "tests/broker/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace choreo::broker::testing {
namespace {

const std::regex& SampleRegex() {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$)");
  return kSample;
}

double ParseValue(const std::string& text) {
  if (text == "+Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  return std::strtod(text.c_str(), nullptr);
}

// The family a sample belongs to: its name, or the name without a histogram/summary suffix when
// that base name was declared.
std::string FamilyOf(const std::string& name, const std::set<std::string>& typed) {
  if (typed.count(name)) return name;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      std::string base = name.substr(0, name.size() - suffix.size());
      if (typed.count(base)) return base;
    }
  }
  return name;
}

// Histogram consistency per series (labels without `le`): buckets cumulative, +Inf == _count.
struct HistogramSeries {
  double last_bucket = -1;
  std::optional<double> inf_bucket;
  std::optional<double> count;
};

std::string WithoutLe(const std::string& labels) {
  static const std::regex kLe(R"((,?)le="[^"]*")");
  std::string out = std::regex_replace(labels, kLe, "");
  if (out == "{}") return "";
  if (out.size() > 1 && out[1] == ',') out.erase(1, 1);
  return out;
}

}  // namespace

::testing::AssertionResult IsValidPrometheusText(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  static const std::regex kType(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  std::set<std::string> typed;
  std::map<std::string, std::string> types;
  std::set<std::string> finished;  // families whose samples are over
  std::string current;             // family of the previous sample
  std::map<std::string, HistogramSeries> histograms;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, kType)) {
      if (!typed.insert(m[1]).second)
        return ::testing::AssertionFailure() << "line " << n << ": TYPE twice: " << line;
      types[m[1]] = m[2];
      continue;
    }
    if (std::regex_match(line, kHelp)) continue;
    if (!line.empty() && line[0] == '#')
      return ::testing::AssertionFailure() << "line " << n << ": unknown comment: " << line;
    if (!std::regex_match(line, m, SampleRegex()))
      return ::testing::AssertionFailure() << "line " << n << " malformed: " << line;
    const std::string name = m[1];
    const std::string family = FamilyOf(name, typed);
    if (!typed.count(family))
      return ::testing::AssertionFailure() << "line " << n << ": sample before its TYPE: " << line;
    if (family != current) {
      if (finished.count(family))
        return ::testing::AssertionFailure()
               << "line " << n << ": samples of " << family << " are not contiguous";
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    const double value = ParseValue(m[7]);
    if (types[family] == "counter" && value < 0)
      return ::testing::AssertionFailure() << "line " << n << ": negative counter: " << line;
    if (types[family] != "histogram") continue;
    HistogramSeries& h = histograms[family + WithoutLe(m[2])];
    if (name == family + "_bucket") {
      if (value < h.last_bucket)
        return ::testing::AssertionFailure() << "line " << n << ": buckets not cumulative";
      h.last_bucket = value;
      if (std::string(m[2]).find("le=\"+Inf\"") != std::string::npos) h.inf_bucket = value;
    } else if (name == family + "_count") {
      h.count = value;
    }
  }
  for (const auto& [series, h] : histograms) {
    if (!h.inf_bucket || !h.count || *h.inf_bucket != *h.count)
      return ::testing::AssertionFailure() << series << ": +Inf bucket missing or != _count";
  }
  if (!text.empty() && text.back() != '\n')
    return ::testing::AssertionFailure() << "no trailing newline";
  return ::testing::AssertionSuccess();
}

std::map<std::string, double> ParseSamples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = ParseValue(line.substr(space + 1));
  }
  return out;
}

std::optional<double> SampleValue(const std::string& text, const std::string& series) {
  std::map<std::string, double> samples = ParseSamples(text);
  auto it = samples.find(series);
  if (it == samples.end()) return std::nullopt;
  return it->second;
}

}  // namespace choreo::broker::testing
