// /api/schemas and /api/schemas/{subject}: the schema registry (broker/schema/) as `choreo schema
// list|show` shows it, with the topics that validate records against it and the records that
// validation refused. A subject's versions are parsed here from the descriptor sets the registry
// holds in memory (CPU only, no I/O); fields are named as the compatibility rules name them
// (schema_compat.h), and the readable definition is the one GetSchema answers.

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "broker/http/console_util.h"
#include "broker/schema/schema_compat.h"
#include "broker/schema/schema_registry.h"
#include "broker/schema/schema_set.h"

namespace choreo::broker::console {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// Versions shown per request, newest first (a subject may have kMaxSchemaVersions).
constexpr int64_t kDefaultVersions = 20;

void WriteValidatedTopics(ConsoleServices& services, JsonWriter& json) {
  json.Key("validated_topics").BeginArray();
  for (const storage::TopicInfo& topic : services.topics.List()) {
    if (topic.config.schema_validation) json.String(topic.name);
  }
  json.EndArray();
  json.Field("rejected_records", services.schemas.RejectedRecords());
}

void WriteField(const FieldDescriptor& field, JsonWriter& json) {
  json.BeginObject();
  json.Field("number", static_cast<int64_t>(field.number())).Field("name", field.name());
  json.Field("type", FieldTypeName(field)).Field("label", FieldLabelName(field));
  if (const auto* oneof = field.real_containing_oneof(); oneof != nullptr) {
    json.Field("oneof", oneof->name());
  }
  json.EndObject();
}

// The subject's message and every message and enum type its fields reach (map entries
// included, as the rules compare them), each once, in the order they are first reached.
void WriteTypes(const Descriptor& root, JsonWriter& json) {
  std::vector<const Descriptor*> messages = {&root};
  std::vector<const EnumDescriptor*> enums;
  std::set<std::string> seen = {root.full_name()};
  for (size_t i = 0; i < messages.size(); ++i) {
    for (int f = 0; f < messages[i]->field_count(); ++f) {
      const FieldDescriptor& field = *messages[i]->field(f);
      if (field.message_type() != nullptr && seen.insert(field.message_type()->full_name()).second)
        messages.push_back(field.message_type());
      if (field.enum_type() != nullptr && seen.insert(field.enum_type()->full_name()).second)
        enums.push_back(field.enum_type());
    }
  }
  json.Key("messages").BeginArray();
  for (const Descriptor* message : messages) {
    json.BeginObject().Field("name", message->full_name()).Key("fields").BeginArray();
    for (int f = 0; f < message->field_count(); ++f)
      WriteField(*message->field(f), json);
    json.EndArray().EndObject();
  }
  json.EndArray();
  json.Key("enums").BeginArray();
  for (const EnumDescriptor* e : enums) {
    json.BeginObject().Field("name", e->full_name()).Key("values").BeginArray();
    for (int v = 0; v < e->value_count(); ++v) {
      json.BeginObject().Field("number", static_cast<int64_t>(e->value(v)->number()));
      json.Field("name", e->value(v)->name()).EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray();
}

void WriteVersion(std::string_view subject, const SchemaVersionInfo& info, JsonWriter& json) {
  json.BeginObject();
  json.Field("version", info.stored.version).Field("registered_ms", info.stored.registered_ms);
  json.Field("definition", info.definition);
  absl::StatusOr<std::unique_ptr<SchemaSet>> set = SchemaSet::Parse(info.stored.schema);
  absl::StatusOr<const Descriptor*> message =
      set.ok() ? (*set)->Find(subject) : absl::StatusOr<const Descriptor*>(set.status());
  if (message.ok()) {
    WriteTypes(**message, json);
  } else {
    json.Field("error", View(message.status().message()));
  }
  json.EndObject();
}

}  // namespace

HttpResponse Schemas(ConsoleServices& services, const HttpRequest& /*request*/) {
  JsonWriter json;
  json.BeginObject().Key("subjects").BeginArray();
  for (const SchemaSubjectInfo& s : services.schemas.List()) {
    // Versions are dense from 1, so the latest is also how many there are.
    json.BeginObject().Field("subject", s.subject).Field("latest_version", s.latest_version);
    json.Field("version_count", s.latest_version).Field("registered_ms", s.registered_ms);
    json.EndObject();
  }
  json.EndArray();
  WriteValidatedTopics(services, json);
  json.EndObject();
  return Json(std::move(json));
}

HttpResponse Schema(ConsoleServices& services, std::string_view subject,
                    const HttpRequest& request) {
  const IntParam limit =
      ParseInt(request, "versions", kDefaultVersions, 1, static_cast<int64_t>(kMaxSchemaVersions));
  if (!limit.error.empty()) return Error(400, limit.error);
  absl::StatusOr<SchemaVersionInfo> latest = services.schemas.Get(subject, 0);
  if (!latest.ok()) return Error(latest.status());
  const uint32_t newest = latest->stored.version;
  JsonWriter json;
  json.BeginObject().Field("subject", latest->stored.subject).Field("latest_version", newest);
  json.Field("registered_ms", latest->stored.registered_ms);
  const uint32_t shown = static_cast<uint32_t>(std::min<int64_t>(limit.value, newest));
  json.Field("shown_versions", shown).Key("versions").BeginArray();
  WriteVersion(subject, *latest, json);
  for (uint32_t v = newest - 1; v > newest - shown; --v) {
    absl::StatusOr<SchemaVersionInfo> info = services.schemas.Get(subject, v);
    if (!info.ok()) return Error(info.status());
    WriteVersion(subject, *info, json);
  }
  json.EndArray();
  WriteValidatedTopics(services, json);
  json.EndObject();
  return Json(std::move(json));
}

}  // namespace choreo::broker::console
