// The /api/ router: method and path to the route handlers in console_*.cc.
#include "broker/http/console_api.h"

#include "broker/http/console_util.h"

namespace choreo::broker {
namespace {

bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (!s->starts_with(prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

bool ConsumeSuffix(std::string_view* s, std::string_view suffix) {
  if (!s->ends_with(suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

}  // namespace

class ConsoleApi::Impl {
 public:
  explicit Impl(ConsoleServices services) : services_(std::move(services)) {}

  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Read(const HttpRequest& request, std::string_view path);
  HttpResponse Write(const HttpRequest& request, std::string_view path);

  ConsoleServices services_;
  console::SagaCountCache saga_counts_;
};

HttpResponse ConsoleApi::Impl::Handle(const HttpRequest& request) {
  std::string_view path = request.path;
  path.remove_prefix(std::string_view("/api").size());
  if (request.method == "POST") return Write(request, path);
  return Read(request, path);
}

HttpResponse ConsoleApi::Impl::Read(const HttpRequest& request, std::string_view path) {
  using namespace console;  // NOLINT(build/namespaces): the route table reads better
  if (path == "/overview") return Overview(services_, saga_counts_, request);
  if (path == "/topics") return Topics(services_, request);
  if (ConsumePrefix(&path, "/topics/")) return Topic(services_, path);
  if (path == "/records") return Records(services_, request);
  if (path == "/groups") return Groups(services_, request);
  if (ConsumePrefix(&path, "/groups/")) {
    if (path.ends_with("/reset-offsets")) return Error(405, "reset-offsets needs POST");
    return Group(services_, path);
  }
  if (path == "/sagas/search") return SagaSearch(services_, request);
  if (path == "/sagas/timeline") return SagaTimeline(services_, request);
  if (path == "/sagas/stuck") return StuckSagas(services_, saga_counts_, request);
  if (path == "/dead-letters") return DeadLetterTopics(services_, request);
  if (ConsumePrefix(&path, "/dead-letters/")) {
    if (path.ends_with("/replay") || path.ends_with("/discard"))
      return Error(405, "replay and discard need POST");
    return DeadLetterSagas(services_, path, request);
  }
  if (path == "/schemas") return Schemas(services_, request);
  if (ConsumePrefix(&path, "/schemas/")) return Schema(services_, path, request);
  return Error(404, Cat("no API route ", request.path, "; see broker/README.md"));
}

HttpResponse ConsoleApi::Impl::Write(const HttpRequest& request, std::string_view path) {
  using namespace console;  // NOLINT(build/namespaces)
  if (ConsumePrefix(&path, "/groups/") && ConsumeSuffix(&path, "/reset-offsets")) {
    return ResetGroupOffsets(services_, path, request);
  }
  if (ConsumePrefix(&path, "/dead-letters/")) {
    if (ConsumeSuffix(&path, "/replay"))
      return DeadLetterAction(services_, path, "replay", request);
    if (ConsumeSuffix(&path, "/discard"))
      return DeadLetterAction(services_, path, "discard", request);
  }
  return Error(405, Cat(request.path, " does not take POST"));
}

ConsoleApi::ConsoleApi(ConsoleServices services)
    : impl_(std::make_unique<Impl>(std::move(services))) {}

ConsoleApi::~ConsoleApi() = default;

HttpResponse ConsoleApi::Handle(const HttpRequest& request) {
  return impl_->Handle(request);
}

}  // namespace choreo::broker
