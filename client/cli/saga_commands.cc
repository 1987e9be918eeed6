// `choreo saga define|undefine|definitions|stuck`: saga definitions kept by the broker, and the
// sagas open past their deadline.
#include <ostream>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"
#include "client/cli/event_output.h"
#include "client/cli/record_format.h"

namespace choreo::cli {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string OrDash(std::string_view text) {
  return text.empty() ? "-" : EscapeField(text);
}

void WriteStrings(JsonWriter& json, const std::vector<std::string>& items) {
  json.BeginArray();
  for (const std::string& item : items)
    json.String(item);
  json.EndArray();
}

// What opens a saga of `d`, in words.
std::string Starts(const SagaDefinition& d) {
  return d.start_types.empty() ? "any first event (no causation id)" : Join(d.start_types);
}

void PrintStuckText(const StuckSagas& stuck, Io& io) {
  io.out << "DEFINITION\tSAGA\tSTARTED\tLAST_EVENT\tLAST_TIME\tLAST_SOURCE\tWAITING\n";
  for (const StuckSaga& s : stuck.sagas) {
    io.out << EscapeField(s.definition) << "\t" << EscapeField(s.saga_id) << "\t"
           << FormatEventTime(s.started_ms) << "\t" << OrDash(s.last_event.type) << "\t"
           << FormatEventTime(s.last_event.time_ms) << "\t" << OrDash(s.last_event.source) << "\t"
           << FormatAge(s.waiting_ms) << "\n";
  }
  io.out << "\nDEFINITION\tOPEN\tSTUCK\n";
  for (const SagaCounts& c : stuck.counts)
    io.out << EscapeField(c.definition) << "\t" << c.open << "\t" << c.stuck << "\n";
}

void PrintStuckJson(const StuckSagas& stuck, Io& io) {
  JsonWriter json;
  json.BeginObject().Key("sagas").BeginArray();
  for (const StuckSaga& s : stuck.sagas) {
    json.BeginObject().Key("definition").String(s.definition).Key("saga_id").String(s.saga_id);
    json.Key("started").String(FormatEventTime(s.started_ms)).Key("started_ms").Int(s.started_ms);
    json.Key("waiting_ms").Int(s.waiting_ms).Key("last_event").BeginObject();
    WriteEventFields(json, s.last_event);
    json.EndObject().EndObject();
  }
  json.EndArray().Key("counts").BeginArray();
  for (const SagaCounts& c : stuck.counts) {
    json.BeginObject().Key("definition").String(c.definition);
    json.Key("open").Int(static_cast<int64_t>(c.open));
    json.Key("stuck").Int(static_cast<int64_t>(c.stuck)).EndObject();
  }
  json.EndArray().EndObject();
  io.out << json.str() << "\n";
}

}  // namespace

Status RunSagaDefine(const ClientOptions& options, const SagaDefineArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  const SagaDefinition& d = args.definition;
  if (Status s = (*admin)->DefineSaga(d); !s.ok()) return s;
  io.out << "defined saga " << d.name << ": opened by " << Starts(d) << ", ended by "
         << Join(d.terminal_types) << ", stuck after " << FormatDurationMs(d.deadline_ms) << "\n"
         << "It applies to events appended from now on.\n";
  return OkStatus();
}

Status RunSagaUndefine(const ClientOptions& options, const SagaUndefineArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  if (Status s = (*admin)->RemoveSagaDefinition(args.name); !s.ok()) return s;
  io.out << "removed saga definition " << args.name << "\n";
  return OkStatus();
}

Status RunSagaDefinitions(const ClientOptions& options, const SagaDefinitionsArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<SagaDefinition>> definitions = (*admin)->ListSagaDefinitions();
  if (!definitions.ok()) return definitions.status();
  if (args.format == ReportFormat::kJson) {
    JsonWriter json;
    json.BeginObject().Key("definitions").BeginArray();
    for (const SagaDefinition& d : *definitions) {
      json.BeginObject().Key("name").String(d.name).Key("start_types");
      WriteStrings(json, d.start_types);
      json.Key("terminal_types");
      WriteStrings(json, d.terminal_types);
      json.Key("deadline_ms").Int(d.deadline_ms).EndObject();
    }
    json.EndArray().EndObject();
    io.out << json.str() << "\n";
    return OkStatus();
  }
  io.out << "NAME\tDEADLINE\tSTART\tTERMINAL\n";
  for (const SagaDefinition& d : *definitions) {
    io.out << EscapeField(d.name) << "\t" << FormatDurationMs(d.deadline_ms) << "\t"
           << (d.start_types.empty() ? "-" : EscapeField(Join(d.start_types))) << "\t"
           << EscapeField(Join(d.terminal_types)) << "\n";
  }
  return OkStatus();
}

Status RunSagaStuck(const ClientOptions& options, const SagaStuckArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<StuckSagas> stuck = (*admin)->FindStuckSagas(args.definition, args.limit);
  if (!stuck.ok()) return stuck.status();
  if (args.format == ReportFormat::kJson) {
    PrintStuckJson(*stuck, io);
  } else {
    PrintStuckText(*stuck, io);
  }
  return OkStatus();
}

}  // namespace choreo::cli
