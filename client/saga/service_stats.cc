#include "client/saga/service_stats.h"

namespace choreo::saga::internal {

void ServiceCounters::Add(std::string_view type, Counter counter, uint64_t n) {
  MutexLock lock(&mu_);
  auto it = stats_.by_type.find(std::string(type));
  if (it == stats_.by_type.end())
    it = stats_.by_type.emplace(std::string(type), EventTypeStats{}).first;
  EventTypeStats& s = it->second;
  switch (counter) {
    case Counter::kHandled:
      s.handled += n;
      break;
    case Counter::kFailed:
      s.failed += n;
      break;
    case Counter::kRetried:
      s.retried += n;
      break;
    case Counter::kDeadLettered:
      s.dead_lettered += n;
      break;
    case Counter::kParked:
      s.parked += n;
      break;
    case Counter::kSkipped:
      s.skipped += n;
      break;
    case Counter::kReplayed:
      s.replayed += n;
      break;
  }
}

void ServiceCounters::StepAcknowledged(uint64_t steps, uint64_t published) {
  MutexLock lock(&mu_);
  stats_.step_requests += 1;
  stats_.steps_committed += steps;
  stats_.events_published += published;
}

ServiceStats ServiceCounters::Snapshot() const {
  MutexLock lock(&mu_);
  return stats_;
}

namespace {

// Label values escape backslash, quote and newline (Prometheus text format 0.0.4).
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string FormatPrometheus(std::string_view service, const ServiceStats& stats) {
  const std::string svc = Escape(service);
  std::string out =
      "# HELP choreo_saga_events_total Saga events by type and outcome.\n"
      "# TYPE choreo_saga_events_total counter\n";
  for (const auto& [type, s] : stats.by_type) {
    const std::pair<const char*, uint64_t> outcomes[] = {
        {"handled", s.handled},  {"failed", s.failed},
        {"retried", s.retried},  {"dead_lettered", s.dead_lettered},
        {"parked", s.parked},    {"skipped", s.skipped},
        {"replayed", s.replayed}};
    for (const auto& [outcome, value] : outcomes) {
      out += "choreo_saga_events_total{service=\"" + svc + "\",type=\"" + Escape(type) +
             "\",outcome=\"" + outcome + "\"} " + std::to_string(value) + "\n";
    }
  }
  auto scalar = [&](const char* name, const char* kind, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + kind + "\n" +
           name + "{service=\"" + svc + "\"} " + std::to_string(value) + "\n";
  };
  scalar("choreo_saga_steps_committed_total", "counter", "Input events committed by steps.",
         stats.steps_committed);
  scalar("choreo_saga_step_requests_total", "counter", "Step requests acknowledged.",
         stats.step_requests);
  scalar("choreo_saga_events_published_total", "counter", "Output events committed.",
         stats.events_published);
  scalar("choreo_saga_parked_sagas", "gauge", "Sagas parked behind a dead letter.",
         stats.parked_sagas);
  scalar("choreo_saga_pending_events", "gauge", "Events polled and not yet committed.",
         stats.pending_events);
  return out;
}

}  // namespace choreo::saga::internal
