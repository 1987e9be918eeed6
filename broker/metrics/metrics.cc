#include "broker/metrics/metrics.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include <algorithm>
#include <cmath>

namespace choreo::broker {
namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  return absl::StrFormat("%.15g", v);  // 15 digits: exact for decimals like 0.1, and for times
}

std::string LabelSet(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, labels[i].first, "=\"", EscapeLabelValue(labels[i].second), "\"");
  }
  out += "}";
  return out;
}

std::vector<std::pair<std::string, std::string>> Zip(const std::vector<std::string>& names,
                                                     const LabelValues& values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i)
    out.emplace_back(names[i], values[i]);
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class TextWriter : public SampleWriter {
 public:
  explicit TextWriter(std::string* out) : out_(out) {}
  void Family(std::string_view name, std::string_view type, std::string_view help) override {
    // absl::string_view is not std::string_view in Debian's abseil build: append with std.
    (*out_ += "# HELP ").append(name) += " " + EscapeHelp(help) + "\n# TYPE ";
    (out_->append(name) += " ").append(type) += "\n";
  }
  void Sample(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
              double value) override {
    *out_ += name;
    *out_ += LabelSet(labels) + " " + FormatValue(value) + "\n";
  }

 private:
  std::string* out_;
};

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (size_t i = 0; i <= upper_bounds_.size(); ++i)
    buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sum_micro_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
  }
}

std::vector<uint64_t> Histogram::bucket_counts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::sum() const {
  return sum_micro_.load(std::memory_order_relaxed) / 1e6;
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

std::vector<double> HopBucketsSeconds() {
  return {0.000005, 0.00001, 0.00002, 0.00003, 0.00005, 0.000075, 0.0001, 0.00015,
          0.0002,   0.0003,  0.0005,  0.00075, 0.001,   0.0015,   0.002,  0.003,
          0.005,    0.0075,  0.01,    0.02,    0.05,    0.1};
}

Histogram* HopHistogram(MetricsRegistry& registry, std::string_view hop) {
  return registry.GetHistogram(
      "choreo_hop_duration_seconds",
      "Time a record spends in one hop of its way through the broker, by hop: commit_queue "
      "(waiting for the committer), storage_write (the group's RocksDB write, with its fsync under "
      "--fsync=always), append_resume (store acknowledged -> produce handler running again), "
      "fetch_wake (new data committed -> parked fetch running again), fetch_read (one read pass "
      "of a fetch: from memory on the network thread, or on the storage pool), response_write "
      "(response queued -> written to the socket).",
      HopBucketsSeconds(), {"hop"}, {std::string(hop)});
}

std::vector<double> SizeBuckets() {
  std::vector<double> out;
  for (double b = 1; b <= 16777216; b *= 4)
    out.push_back(b);
  return out;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, Type type,
                                                    std::string_view help,
                                                    const std::vector<std::string>& label_names) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family family;
    family.type = type;
    family.help = std::string(help);
    family.label_names = label_names;
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  return it->second;
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const std::vector<std::string>& label_names,
                                     const LabelValues& labels) {
  MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kCounter, help, label_names).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const std::vector<std::string>& label_names,
                                 const LabelValues& labels) {
  MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kGauge, help, label_names).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         std::vector<double> upper_bounds,
                                         const std::vector<std::string>& label_names,
                                         const LabelValues& labels) {
  MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kHistogram, help, label_names).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(std::move(upper_bounds));
  return slot.get();
}

void MetricsRegistry::AddCollector(Collector collector) {
  MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::RenderPrometheusText() const {
  std::string out;
  TextWriter writer(&out);
  std::vector<Collector> collectors;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, family] : families_) {
      switch (family.type) {
        case Type::kCounter:
          writer.Family(name, "counter", family.help);
          for (const auto& [labels, c] : family.counters) {
            writer.Sample(name, Zip(family.label_names, labels), static_cast<double>(c->value()));
          }
          break;
        case Type::kGauge:
          writer.Family(name, "gauge", family.help);
          for (const auto& [labels, g] : family.gauges) {
            writer.Sample(name, Zip(family.label_names, labels), static_cast<double>(g->value()));
          }
          break;
        case Type::kHistogram:
          writer.Family(name, "histogram", family.help);
          for (const auto& [labels, h] : family.histograms) {
            auto base = Zip(family.label_names, labels);
            const std::vector<uint64_t> counts = h->bucket_counts();
            uint64_t cumulative = 0;
            for (size_t i = 0; i < counts.size(); ++i) {
              cumulative += counts[i];
              auto with_le = base;
              with_le.emplace_back(
                  "le", i < h->upper_bounds().size() ? FormatValue(h->upper_bounds()[i]) : "+Inf");
              writer.Sample(absl::StrCat(name, "_bucket"), with_le,
                            static_cast<double>(cumulative));
            }
            writer.Sample(absl::StrCat(name, "_sum"), base, h->sum());
            writer.Sample(absl::StrCat(name, "_count"), base, static_cast<double>(cumulative));
          }
          break;
      }
    }
    collectors = collectors_;
  }
  for (const Collector& collect : collectors)
    collect(writer);
  return out;
}

}  // namespace choreo::broker
