#include "bench/redis_peer/redis_streams.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace choreo::bench {
namespace {

constexpr std::string_view kValueField = "v";

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string_view Text(const redisReply* reply) {
  return std::string_view(reply->str, reply->len);
}

// Sends one command and waits for its reply; an error reply becomes a Status.
absl::StatusOr<Reply> Command(redisContext* context, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> argv_len;
  argv.reserve(args.size());
  argv_len.reserve(args.size());
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    argv_len.push_back(arg.size());
  }
  Reply reply(static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), argv_len.data())));
  if (!reply) {
    return absl::UnavailableError(absl::StrCat(std::string(args[0]), ": ", context->errstr));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(args[0]), ": ", std::string(Text(reply.get()))));
  }
  return reply;
}

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(absl::StrCat("XREAD: unexpected reply shape: ", std::string(what)));
}

// One stream's part of an XREAD reply: [name, [[id, [field, value, ...]], ...]].
absl::StatusOr<int64_t> ReadStreamEntries(
    const redisReply* stream, StreamConnection::ReadCursor& cursor,
    const std::function<void(std::string_view value)>& on_value) {
  if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 ||
      stream->element[0]->type != REDIS_REPLY_STRING ||
      stream->element[1]->type != REDIS_REPLY_ARRAY) {
    return Malformed("stream");
  }
  const std::string_view name = Text(stream->element[0]);
  size_t index = 0;
  while (index < cursor.streams.size() && cursor.streams[index] != name)
    ++index;
  if (index == cursor.streams.size())
    return Malformed(absl::StrCat("unknown stream ", std::string(name)));
  const redisReply* entries = stream->element[1];
  for (size_t e = 0; e < entries->elements; ++e) {
    const redisReply* entry = entries->element[e];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING ||
        entry->element[1]->type != REDIS_REPLY_ARRAY) {
      return Malformed("entry");
    }
    const redisReply* fields = entry->element[1];
    for (size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (fields->element[f]->type == REDIS_REPLY_STRING &&
          fields->element[f + 1]->type == REDIS_REPLY_STRING &&
          Text(fields->element[f]) == kValueField) {
        on_value(Text(fields->element[f + 1]));
      }
    }
    cursor.last_ids[index] = std::string(Text(entry->element[0]));
  }
  return static_cast<int64_t>(entries->elements);
}

}  // namespace

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::Connect(
    const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("not host:port: '", address, "'"));
  }
  const std::string host = address.substr(0, colon);
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, timeval{5, 0});
  if (context == nullptr) return absl::ResourceExhaustedError("hiredis: out of memory");
  auto connection = std::unique_ptr<StreamConnection>(new StreamConnection(context));
  if (context->err != 0) {
    return absl::UnavailableError(absl::StrCat("connecting to ", address, ": ", context->errstr));
  }
  // hiredis sets TCP_NODELAY itself; set it again so the figures never depend on its version.
  const int one = 1;
  setsockopt(context->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (redisSetTimeout(context, timeval{30, 0}) != REDIS_OK) {
    return absl::UnavailableError(absl::StrCat("setting a timeout: ", context->errstr));
  }
  return connection;
}

StreamConnection::~StreamConnection() {
  redisFree(context_);
}

absl::Status StreamConnection::Add(std::string_view stream, std::string_view value) {
  auto reply = Command(context_, {"XADD", stream, "*", kValueField, value});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<int64_t> StreamConnection::Read(
    ReadCursor& cursor, int count, int block_ms,
    const std::function<void(std::string_view value)>& on_value) {
  const std::string count_text = std::to_string(count);
  const std::string block_text = std::to_string(block_ms);
  std::vector<std::string_view> args = {"XREAD", "BLOCK",    block_text,
                                        "COUNT", count_text, "STREAMS"};
  args.insert(args.end(), cursor.streams.begin(), cursor.streams.end());
  args.insert(args.end(), cursor.last_ids.begin(), cursor.last_ids.end());
  auto reply = Command(context_, args);
  if (!reply.ok()) return reply.status();
  if ((*reply)->type == REDIS_REPLY_NIL) return 0;  // BLOCK timed out
  if ((*reply)->type != REDIS_REPLY_ARRAY) return Malformed("not an array");
  int64_t received = 0;
  for (size_t s = 0; s < (*reply)->elements; ++s) {
    auto entries = ReadStreamEntries((*reply)->element[s], cursor, on_value);
    if (!entries.ok()) return entries.status();
    received += *entries;
  }
  return received;
}

absl::StatusOr<std::string> StreamConnection::Info(std::string_view section) {
  auto reply = Command(context_, {"INFO", section});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_STRING) return absl::DataLossError("INFO: not a string");
  return std::string(Text(reply->get()));
}

absl::StatusOr<std::string> StreamConnection::ConfigValue(std::string_view name) {
  auto reply = Command(context_, {"CONFIG", "GET", name});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements != 2 ||
      (*reply)->element[1]->type != REDIS_REPLY_STRING) {
    return absl::NotFoundError(absl::StrCat("CONFIG GET ", std::string(name), ": no such setting"));
  }
  return std::string(Text((*reply)->element[1]));
}

absl::Status StreamConnection::Delete(const std::vector<std::string>& keys) {
  std::vector<std::string_view> args = {"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  auto reply = Command(context_, args);
  return reply.ok() ? absl::OkStatus() : reply.status();
}

std::string InfoField(std::string_view info, std::string_view name) {
  const std::string key = std::string(name) + ":";
  size_t at = 0;
  while ((at = info.find(key, at)) != std::string_view::npos) {
    if (at == 0 || info[at - 1] == '\n') {
      const size_t start = at + key.size();
      const size_t end = info.find_first_of("\r\n", start);
      return std::string(info.substr(start, end == std::string_view::npos ? end : end - start));
    }
    at += key.size();
  }
  return "";
}

}  // namespace choreo::bench
