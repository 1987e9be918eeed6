// `choreo dlq list|show|replay|discard`: a saga service's dead-letter topic, read and acted on
// through the saga library's dead_letters.h (the same fold of the topic the service uses).
#include <ostream>
#include <string>

#include "choreo/common/json_writer.h"
#include "choreo/saga/dead_letters.h"
#include "client/cli/commands.h"
#include "client/cli/record_format.h"
#include "client/cli/time_format.h"

namespace choreo::cli {
namespace {

using saga::DeadLetter;
using saga::DeadLetterKind;
using saga::ParkedSaga;

std::string OrDash(std::string_view text) {
  return text.empty() ? "-" : EscapeField(text);
}

std::string Requested(const ParkedSaga& saga) {
  return saga.requested ? std::string(saga::DeadLetterKindName(*saga.requested)) : "-";
}

// ce_type and ce_id of the original event, from its envelope or (if that did not parse) its
// headers; empty when absent.
std::string EventType(const DeadLetter& d) {
  if (d.envelope) return d.envelope->type;
  return std::string(saga::FindHeader(d.record.headers, saga::headers::kType).value_or(""));
}

std::string EventId(const DeadLetter& d) {
  if (d.envelope) return d.envelope->id;
  return std::string(saga::FindHeader(d.record.headers, saga::headers::kId).value_or(""));
}

struct SagaSummary {
  int dead = 0;
  int parked = 0;
  const DeadLetter* first = nullptr;  // the first dead letter, else the first record
};

SagaSummary Summarize(const ParkedSaga& saga) {
  SagaSummary s;
  for (const DeadLetter& d : saga.records) {
    if (d.kind == DeadLetterKind::kDead) {
      ++s.dead;
      if (s.first == nullptr || s.first->kind != DeadLetterKind::kDead) s.first = &d;
    } else {
      ++s.parked;
      if (s.first == nullptr) s.first = &d;
    }
  }
  return s;
}

void PrintListText(const std::vector<ParkedSaga>& sagas, int64_t now_ms, std::ostream& out) {
  out << "SAGA\tDEAD\tPARKED\tAGE\tREQUESTED\tFIRST_ERROR\n";
  for (const ParkedSaga& saga : sagas) {
    const SagaSummary s = Summarize(saga);
    const bool timed = s.first != nullptr && s.first->time_ms > 0;
    out << EscapeField(saga.saga_id) << "\t" << s.dead << "\t" << s.parked << "\t"
        << (timed ? FormatAge(now_ms - s.first->time_ms) : "-") << "\t" << Requested(saga) << "\t"
        << (s.first ? OrDash(s.first->error) : "-") << "\n";
  }
}

void PrintListJson(const std::string& topic, const std::vector<ParkedSaga>& sagas, int64_t now_ms,
                   std::ostream& out) {
  JsonWriter json;
  json.BeginObject().Key("topic").String(topic).Key("sagas").BeginArray();
  for (const ParkedSaga& saga : sagas) {
    const SagaSummary s = Summarize(saga);
    json.BeginObject().Key("saga_id").String(saga.saga_id);
    json.Key("dead").Int(s.dead).Key("parked").Int(s.parked);
    json.Key("first_error").String(s.first ? s.first->error : "");
    if (s.first != nullptr && s.first->time_ms > 0) {
      json.Key("first_time").String(saga::FormatRfc3339(s.first->time_ms));
      json.Key("age_ms").Int(now_ms - s.first->time_ms);
    } else {
      json.Key("first_time").Null().Key("age_ms").Null();
    }
    json.Key("requested");
    if (saga.requested) {
      json.String(saga::DeadLetterKindName(*saga.requested));
    } else {
      json.Null();
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  out << json.str() << "\n";
}

void PrintShowText(const std::string& topic, const ParkedSaga& saga, std::ostream& out) {
  out << "saga: " << EscapeField(saga.saga_id) << "\n"
      << "topic: " << topic << "\n"
      << "requested: " << Requested(saga) << "\n"
      << "DLQ_OFFSET\tKIND\tCE_TYPE\tCE_ID\tTOPIC\tPARTITION\tOFFSET\tATTEMPTS\tHANDLER\tTIME\t"
         "ERROR\n";
  for (const DeadLetter& d : saga.records) {
    out << d.dlq_offset << "\t" << saga::DeadLetterKindName(d.kind) << "\t" << OrDash(EventType(d))
        << "\t" << OrDash(EventId(d)) << "\t" << OrDash(d.topic) << "\t" << d.partition << "\t"
        << d.offset << "\t" << d.attempts << "\t" << OrDash(d.handler) << "\t"
        << (d.time_ms > 0 ? saga::FormatRfc3339(d.time_ms) : "-") << "\t" << OrDash(d.error)
        << "\n";
  }
}

void PrintShowJson(const std::string& topic, const ParkedSaga& saga, std::ostream& out) {
  JsonWriter json;
  json.BeginObject().Key("topic").String(topic).Key("saga_id").String(saga.saga_id);
  json.Key("requested");
  if (saga.requested) {
    json.String(saga::DeadLetterKindName(*saga.requested));
  } else {
    json.Null();
  }
  json.Key("events").BeginArray();
  for (const DeadLetter& d : saga.records) {
    json.BeginObject()
        .Key("dlq_partition")
        .Int(d.dlq_partition)
        .Key("dlq_offset")
        .Int(d.dlq_offset)
        .Key("kind")
        .String(saga::DeadLetterKindName(d.kind))
        .Key("ce_type")
        .String(EventType(d))
        .Key("ce_id")
        .String(EventId(d))
        .Key("topic")
        .String(d.topic)
        .Key("partition")
        .Int(d.partition)
        .Key("offset")
        .Int(d.offset)
        .Key("attempts")
        .Int(d.attempts)
        .Key("handler")
        .String(d.handler)
        .Key("error")
        .String(d.error)
        .Key("time");
    if (d.time_ms > 0) {
      json.String(saga::FormatRfc3339(d.time_ms));
    } else {
      json.Null();
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  out << json.str() << "\n";
}

// The saga, if it is parked in `topic` now.
Result<ParkedSaga> FindParked(const ClientOptions& options, const std::string& topic,
                              const std::string& saga_id) {
  Result<std::vector<ParkedSaga>> sagas = saga::ReadParkedSagas(options, topic);
  if (!sagas.ok()) return sagas.status();
  for (ParkedSaga& saga : *sagas) {
    if (saga.saga_id == saga_id) return std::move(saga);
  }
  return CommandFailure("saga '" + saga_id + "' is not parked in " + topic +
                        " (no dead letters since its last replay or discard)");
}

}  // namespace

Status RunDlqList(const ClientOptions& options, const DlqListArgs& args, Io& io) {
  Result<std::vector<ParkedSaga>> sagas = saga::ReadParkedSagas(options, args.topic);
  if (!sagas.ok()) return sagas.status();
  if (args.format == ReportFormat::kJson) {
    PrintListJson(args.topic, *sagas, NowMs(), io.out);
  } else {
    PrintListText(*sagas, NowMs(), io.out);
  }
  return OkStatus();
}

Status RunDlqShow(const ClientOptions& options, const DlqShowArgs& args, Io& io) {
  Result<ParkedSaga> saga = FindParked(options, args.topic, args.saga_id);
  if (!saga.ok()) return saga.status();
  if (args.format == ReportFormat::kJson) {
    PrintShowJson(args.topic, *saga, io.out);
  } else {
    PrintShowText(args.topic, *saga, io.out);
  }
  return OkStatus();
}

Status RunDlqAction(const ClientOptions& options, const DlqActionArgs& args, Io& io) {
  // Checked, then appended: if the service resolves the saga in between, the request arrives for
  // a saga that is no longer parked, and the dead-letter index ignores it.
  Result<ParkedSaga> saga = FindParked(options, args.topic, args.saga_id);
  if (!saga.ok()) return saga.status();
  const bool replay = args.action == DlqAction::kReplay;
  const DeadLetterKind kind = replay ? DeadLetterKind::kReplay : DeadLetterKind::kDiscard;
  if (saga->requested) {
    io.err << "note: a " << saga::DeadLetterKindName(*saga->requested)
           << " of this saga was already requested and has not been carried out yet\n";
  }
  if (Status s = saga::RequestDeadLetterAction(options, args.topic, args.saga_id, kind); !s.ok()) {
    return s;
  }
  const SagaSummary s = Summarize(*saga);
  const int total = s.dead + s.parked;
  const std::string events = std::to_string(total) + (total == 1 ? " event" : " events") + " (" +
                             std::to_string(s.dead) + " dead, " + std::to_string(s.parked) +
                             " parked)";
  io.out << "requested " << saga::DeadLetterKindName(kind) << " of saga '" << args.saga_id
         << "' in " << args.topic << ": the service will "
         << (replay ? "handle its " + events + " again, in order"
                    : "drop its " + events + " unhandled")
         << ", then handle the saga's later events as usual.\n"
         << "It is carried out by the service consuming " << args.topic
         << "; `choreo dlq list` shows it as requested until then.\n";
  return OkStatus();
}

}  // namespace choreo::cli
