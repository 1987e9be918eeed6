// The `choreo` tool's commands. Each connects to the broker named in `options`, does its work and
// returns OK or the error to report; none of them prints errors itself.
#pragma once

#include <iosfwd>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "client/cli/command_line.h"

namespace choreo::cli {

// The streams a command reads and writes (std::cin/std::cout/std::cerr in the tool).
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

Status RunTopicCreate(const ClientOptions& options, const TopicCreateArgs& args, Io& io);
Status RunTopicList(const ClientOptions& options, const TopicListArgs& args, Io& io);
Status RunTopicDescribe(const ClientOptions& options, const TopicDescribeArgs& args, Io& io);
Status RunTopicDelete(const ClientOptions& options, const TopicDeleteArgs& args, Io& io);
Status RunTopicAlter(const ClientOptions& options, const TopicAlterArgs& args, Io& io);
Status RunProduce(const ClientOptions& options, const ProduceArgs& args, Io& io);
Status RunConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io);
// `consume --group`: as a group member, committing after each batch it prints.
Status RunGroupConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io);
Status RunGroupList(const ClientOptions& options, const GroupListArgs& args, Io& io);
Status RunGroupDescribe(const ClientOptions& options, const GroupDescribeArgs& args, Io& io);
Status RunGroupResetOffsets(const ClientOptions& options, const GroupResetOffsetsArgs& args,
                            Io& io);
Status RunGroupDelete(const ClientOptions& options, const GroupDeleteArgs& args, Io& io);

}  // namespace choreo::cli
