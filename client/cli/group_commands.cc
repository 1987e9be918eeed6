// `choreo group list|describe|reset-offsets|delete`.
#include <map>
#include <ostream>
#include <string>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"

namespace choreo::cli {
namespace {

std::string Join(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return "-";
  std::string out;
  for (const TopicPartition& tp : partitions)
    out += (out.empty() ? "" : ",") + tp.topic + "/" + std::to_string(tp.partition);
  return out;
}

std::string OrDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

std::string OrDash(int64_t value) {
  return value < 0 ? "-" : std::to_string(value);
}

}  // namespace

Status RunGroupList(const ClientOptions& options, const GroupListArgs&, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<GroupListing>> groups = (*admin)->ListGroups();
  if (!groups.ok()) return groups.status();
  io.out << "GROUP\tSTATE\tMEMBERS\n";
  for (const GroupListing& group : *groups)
    io.out << group.group_id << "\t" << group.state << "\t" << group.members << "\n";
  return OkStatus();
}

Status RunGroupDescribe(const ClientOptions& options, const GroupDescribeArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<GroupDescription> group = (*admin)->DescribeGroup(args.group);
  if (!group.ok()) return group.status();
  io.out << "group: " << group->group_id << "\n"
         << "state: " << group->state << "\n"
         << "epoch: " << group->group_epoch << "\n"
         << "MEMBER\tINSTANCE\tCLIENT\tEPOCH\tASSIGNMENT\n";
  std::map<TopicPartition, std::string> owners;
  for (const GroupMemberDescription& m : group->members) {
    io.out << m.member_id << "\t" << OrDash(m.instance_id) << "\t" << OrDash(m.client_id) << "\t"
           << m.member_epoch << "\t" << Join(m.assignment) << "\n";
    for (const TopicPartition& tp : m.assignment)
      owners[tp] = m.member_id;
  }
  io.out << "TOPIC\tPARTITION\tCOMMITTED\tLOG_END\tLAG\tOWNER\n";
  for (const GroupPartitionOffset& o : group->offsets) {
    io.out << o.partition.topic << "\t" << o.partition.partition << "\t"
           << OrDash(o.committed_offset) << "\t" << o.log_end_offset << "\t" << OrDash(o.lag)
           << "\t" << OrDash(owners[o.partition]) << "\n";
  }
  return OkStatus();
}

Status RunGroupResetOffsets(const ClientOptions& options, const GroupResetOffsetsArgs& args,
                            Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::map<TopicPartition, int64_t>> offsets =
      (*admin)->ResetGroupOffsets(args.group, args.topic, args.partition, args.spec);
  if (!offsets.ok()) return offsets.status();
  io.out << "TOPIC\tPARTITION\tNEW_OFFSET\n";
  for (const auto& [tp, offset] : *offsets)
    io.out << tp.topic << "\t" << tp.partition << "\t" << offset << "\n";
  return OkStatus();
}

Status RunGroupDelete(const ClientOptions& options, const GroupDeleteArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  if (Status deleted = (*admin)->DeleteGroup(args.group); !deleted.ok()) return deleted;
  io.out << "deleted group " << args.group << "\n";
  return OkStatus();
}

}  // namespace choreo::cli
