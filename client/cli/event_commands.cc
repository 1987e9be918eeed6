// `choreo events find`: events from the broker's event index, never by scanning a topic.
#include <algorithm>
#include <ostream>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"
#include "client/cli/event_output.h"
#include "client/cli/record_format.h"

namespace choreo::cli {
namespace {

std::string OrDash(std::string_view text) {
  return text.empty() ? "-" : EscapeField(text);
}

void PrintText(const EventPage& page, uint64_t limit, Io& io) {
  io.out << "TIME\tEVENT\tTYPE\tSOURCE\tEVENT_ID\tSAGA\tDLQ\n";
  for (const IndexedEvent& e : page.events) {
    io.out << FormatEventTime(e.time_ms) << "\t" << EscapeField(EventLocation(e)) << "\t"
           << OrDash(e.type) << "\t" << OrDash(e.source) << "\t" << OrDash(e.event_id) << "\t"
           << OrDash(e.saga_id) << "\t" << OrDash(e.dlq_kind) << "\n";
  }
  if (!page.next_page_token.empty()) {
    io.err << "note: more events may match; showing the first " << limit
           << " (raise --limit, or narrow with --since or --topic)\n";
  }
}

void PrintJson(const EventPage& page, Io& io) {
  JsonWriter json;
  json.BeginObject().Key("events").BeginArray();
  for (const IndexedEvent& e : page.events) {
    json.BeginObject();
    WriteEventFields(json, e);
    json.EndObject();
  }
  json.EndArray().Key("truncated").Bool(!page.next_page_token.empty()).EndObject();
  io.out << json.str() << "\n";
}

}  // namespace

Status RunEventsFind(const ClientOptions& options, const EventsFindArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  EventQuery query = args.query;
  if (args.since) query.since_ms = std::max<int64_t>(0, args.since->Resolve(NowMs()));
  Result<EventPage> page = (*admin)->FindEventsUpTo(std::move(query), args.limit);
  if (!page.ok()) return page.status();
  if (args.format == ReportFormat::kJson) {
    PrintJson(*page, io);
  } else {
    PrintText(*page, args.limit, io);
  }
  return OkStatus();
}

}  // namespace choreo::cli
