// `choreo saga show SAGA_ID`: the saga's events from the broker's event index, its causation tree,
// which consumer groups have handled each event (their committed offsets and saga bitmaps), and
// its dead letters.
#include <ostream>
#include <set>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"
#include "client/cli/event_output.h"
#include "client/cli/record_format.h"
#include "client/cli/saga_timeline.h"

namespace choreo::cli {
namespace {

// More than any saga should have; the rest is reported as left out.
constexpr uint64_t kMaxSagaEvents = 100000;

std::string OrDash(std::string_view text) {
  return text.empty() ? "-" : EscapeField(text);
}

// The committed offsets of every group on the partitions the saga's events are in.
Result<std::vector<GroupCommit>> CommitsOn(Admin& admin, const std::vector<IndexedEvent>& events) {
  std::set<TopicPartition> partitions;
  for (const IndexedEvent& e : events)
    partitions.insert(TopicPartition{e.topic, e.partition});
  Result<std::vector<GroupListing>> groups = admin.ListGroups();
  if (!groups.ok()) return groups.status();
  std::vector<GroupCommit> out;
  for (const GroupListing& listing : *groups) {
    Result<GroupDescription> group = admin.DescribeGroup(listing.group_id);
    // Deleted since it was listed: it has handled nothing any more.
    if (!group.ok() && group.status().code() == ErrorCode::kUnknownGroup) continue;
    if (!group.ok()) return group.status();
    for (const GroupPartitionOffset& o : group->offsets) {
      if (o.committed_offset < 0 || !partitions.contains(o.partition)) continue;
      out.push_back(GroupCommit{group->group_id, o.partition, o.committed_offset, o.metadata});
    }
  }
  return out;
}

std::string Groups(const TimelineEvent& e) {
  std::string out;
  for (const GroupProgress& g : e.groups)
    out += (out.empty() ? "" : ",") + g.group + "=" + std::string(GroupEventStateName(g.state));
  return out.empty() ? "-" : out;
}

// Calls visit(index, depth) for every event in the causation tree, depth first, children in time
// order. Iterative: a chain of events may be as long as the saga.
template <typename Visit>
void WalkTree(const SagaTimeline& timeline, Visit visit) {
  struct Frame {
    int node;
    size_t next_child;
  };
  std::vector<Frame> stack;
  for (int root : timeline.roots) {
    visit(root, 0);
    stack.push_back({root, 0});
    while (!stack.empty()) {
      Frame& top = stack.back();
      const std::vector<int>& children = timeline.events[top.node].children;
      if (top.next_child == children.size()) {
        stack.pop_back();
        continue;
      }
      const int child = children[top.next_child++];
      visit(child, static_cast<int>(stack.size()));
      stack.push_back({child, 0});
    }
  }
}

void PrintText(const SagaTimeline& t, bool truncated, Io& io) {
  std::set<std::string> topics;
  for (const TimelineEvent& e : t.events)
    topics.insert(e.event.topic);
  int dead = 0;
  for (const IndexedEvent& d : t.dead_letters)
    dead += d.dlq_kind == "dead" ? 1 : 0;
  std::ostream& out = io.out;
  out << "saga: " << EscapeField(t.saga_id) << "\n"
      << "events: " << t.events.size() << " in " << topics.size()
      << (topics.size() == 1 ? " topic" : " topics");
  if (!t.events.empty()) {
    out << ", " << FormatEventTime(t.events.front().event.time_ms) << " .. "
        << FormatEventTime(t.events.back().event.time_ms);
  }
  out << "\n"
      << "dead letters: " << dead << " dead, " << static_cast<int>(t.dead_letters.size()) - dead
      << " parked\n";
  out << "\nTIME\tEVENT\tTYPE\tSOURCE\tEVENT_ID\tGROUPS\n";
  for (const TimelineEvent& e : t.events) {
    out << FormatEventTime(e.event.time_ms) << "\t" << EscapeField(EventLocation(e.event)) << "\t"
        << OrDash(e.event.type) << "\t" << OrDash(e.event.source) << "\t"
        << OrDash(e.event.event_id) << "\t" << EscapeField(Groups(e)) << "\n";
  }
  if (!t.events.empty()) {
    out << "\ncausation:\n";
    WalkTree(t, [&](int index, int depth) {
      const TimelineEvent& e = t.events[index];
      out << std::string(2 * static_cast<size_t>(depth), ' ') << OrDash(e.event.type) << " from "
          << OrDash(e.event.source) << " (" << OrDash(e.event.event_id) << ")";
      if (e.parent < 0 && !e.event.causation_id.empty()) {
        out << " [caused by " << EscapeField(e.event.causation_id) << ": not found]";
      }
      for (int d : e.dead_letters) {
        const IndexedEvent& copy = t.dead_letters[d];
        out << " [" << (copy.dlq_kind == "dead" ? "dead-lettered" : EscapeField(copy.dlq_kind))
            << " in " << EscapeField(copy.topic) << "]";
      }
      out << "\n";
    });
  }
  if (!t.dead_letters.empty()) {
    out << "\ndead letters:\nTIME\tEVENT\tKIND\tTYPE\tSOURCE\tEVENT_ID\n";
    for (const IndexedEvent& d : t.dead_letters) {
      out << FormatEventTime(d.time_ms) << "\t" << EscapeField(EventLocation(d)) << "\t"
          << OrDash(d.dlq_kind) << "\t" << OrDash(d.type) << "\t" << OrDash(d.source) << "\t"
          << OrDash(d.event_id) << "\n";
    }
  }
  if (truncated) {
    io.err << "note: the saga has more than " << kMaxSagaEvents
           << " indexed events; only the first are shown\n";
  }
}

void PrintJson(const SagaTimeline& t, bool truncated, Io& io) {
  JsonWriter json;
  json.BeginObject().Key("saga_id").String(t.saga_id).Key("events").BeginArray();
  for (const TimelineEvent& e : t.events) {
    json.BeginObject();
    WriteEventFields(json, e.event);
    json.Key("caused_by");
    if (e.parent < 0) {
      json.Null();
    } else {
      json.String(t.events[e.parent].event.event_id);
    }
    json.Key("groups").BeginArray();
    for (const GroupProgress& g : e.groups) {
      json.BeginObject().Key("group").String(g.group);
      json.Key("state").String(GroupEventStateName(g.state)).EndObject();
    }
    json.EndArray().Key("dead_letters").BeginArray();
    for (int d : e.dead_letters) {
      const IndexedEvent& copy = t.dead_letters[d];
      json.BeginObject().Key("kind").String(copy.dlq_kind).Key("topic").String(copy.topic);
      json.Key("partition").Int(copy.partition).Key("offset").Int(copy.offset).EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray();
  // The tree as nested {"event_id", "children"} objects; WalkTree visits in pre-order, so an
  // object stays open until the walk comes back to a shallower depth.
  json.Key("causation").BeginArray();
  int open = 0;
  WalkTree(t, [&](int index, int depth) {
    for (; open > depth; --open)
      json.EndArray().EndObject();
    json.BeginObject().Key("event_id").String(t.events[index].event.event_id);
    json.Key("children").BeginArray();
    ++open;
  });
  for (; open > 0; --open)
    json.EndArray().EndObject();
  json.EndArray().Key("dead_letters").BeginArray();
  for (const IndexedEvent& d : t.dead_letters) {
    json.BeginObject();
    WriteEventFields(json, d);
    json.EndObject();
  }
  json.EndArray().Key("truncated").Bool(truncated).EndObject();
  io.out << json.str() << "\n";
}

}  // namespace

Status RunSagaShow(const ClientOptions& options, const SagaShowArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<EventPage> page = (*admin)->FindEventsUpTo(
      EventQuery{.by = EventLookup::kSaga, .value = args.saga_id}, kMaxSagaEvents);
  if (!page.ok()) return page.status();
  if (page->events.empty()) {
    return CommandFailure("no indexed events of saga '" + args.saga_id +
                          "' (the index holds enveloped records of topics with event.index on, "
                          "and only while they are retained)");
  }
  Result<std::vector<GroupCommit>> commits = CommitsOn(**admin, page->events);
  if (!commits.ok()) return commits.status();
  const bool truncated = !page->next_page_token.empty();
  const SagaTimeline timeline = BuildTimeline(args.saga_id, std::move(page->events), *commits);
  if (args.format == ReportFormat::kJson) {
    PrintJson(timeline, truncated, io);
  } else {
    PrintText(timeline, truncated, io);
  }
  return OkStatus();
}

}  // namespace choreo::cli
