#include "broker/kafka/request.h"

#include "absl/strings/str_cat.h"
#include "broker/kafka/errors.h"
#include "broker/kafka/wire.h"

namespace choreo::kafka {
namespace {

bool IsFlexible(const ApiDef& api, bool request, int16_t version) {
  return (request ? api.request : api.response).flexible(version);
}

absl::Status SkipTaggedFields(WireReader* in) {
  uint32_t count = 0;
  if (!in->ReadUnsignedVarint(&count)) return absl::InvalidArgumentError("truncated header tags");
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t tag = 0;
    uint32_t size = 0;
    if (!in->ReadUnsignedVarint(&tag) || !in->ReadUnsignedVarint(&size) || !in->Skip(size)) {
      return absl::InvalidArgumentError("truncated header tag");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint32_t> ParseFrameSize(std::string_view prefix, uint32_t max_frame_bytes) {
  WireReader in(prefix);
  int32_t size = 0;
  if (!in.ReadInt32(&size)) return absl::InvalidArgumentError("short frame size prefix");
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("negative frame size ", size));
  if (static_cast<uint32_t>(size) > max_frame_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("frame of ", size, " bytes, over the limit of ", max_frame_bytes));
  }
  return static_cast<uint32_t>(size);
}

void AppendFrameSize(uint32_t body_size, std::string* out) {
  WireWriter(out).WriteInt32(static_cast<int32_t>(body_size));
}

int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  if (api_key == api_key::kApiVersions) return api_version >= 3 ? 2 : 1;
  const ApiDef* api = FindApi(api_key);
  return api != nullptr && IsFlexible(*api, true, api_version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  if (api_key == api_key::kApiVersions) return 0;
  const ApiDef* api = FindApi(api_key);
  return api != nullptr && IsFlexible(*api, false, api_version) ? 1 : 0;
}

absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view frame, size_t* body_offset) {
  WireReader in(frame);
  RequestHeader h;
  int16_t client_id_size = 0;
  if (!in.ReadInt16(&h.api_key) || !in.ReadInt16(&h.api_version) ||
      !in.ReadInt32(&h.correlation_id) || !in.ReadInt16(&client_id_size)) {
    return absl::InvalidArgumentError("truncated request header");
  }
  if (client_id_size < -1) {
    return absl::InvalidArgumentError(absl::StrCat("negative client id length ", client_id_size));
  }
  if (client_id_size >= 0) {
    std::string_view client_id;
    if (!in.ReadBytes(static_cast<size_t>(client_id_size), &client_id)) {
      return absl::InvalidArgumentError("truncated client id");
    }
    h.client_id.emplace(client_id);
  }
  if (RequestHeaderVersion(h.api_key, h.api_version) >= 2) {
    if (absl::Status s = SkipTaggedFields(&in); !s.ok()) return s;
  }
  *body_offset = in.position();
  return h;
}

void EncodeRequestHeader(const RequestHeader& header, std::string* out) {
  WireWriter w(out);
  w.WriteInt16(header.api_key);
  w.WriteInt16(header.api_version);
  w.WriteInt32(header.correlation_id);
  if (header.client_id) {
    w.WriteInt16(static_cast<int16_t>(header.client_id->size()));
    w.WriteBytes(*header.client_id);
  } else {
    w.WriteInt16(-1);
  }
  if (RequestHeaderVersion(header.api_key, header.api_version) >= 2) w.WriteUnsignedVarint(0);
}

absl::StatusOr<DecodedRequest> DecodeRequest(std::string_view frame, const DecodeLimits& limits,
                                             RequestHeader* header_out) {
  size_t body_offset = 0;
  absl::StatusOr<RequestHeader> header = ParseRequestHeader(frame, &body_offset);
  if (!header.ok()) return header.status();
  if (header_out != nullptr) *header_out = *header;
  const ApiDef* api = FindApi(header->api_key);
  if (api == nullptr) {
    return absl::UnimplementedError(absl::StrCat("unknown api key ", header->api_key));
  }
  if (header->api_key == api_key::kApiVersions && header->api_version > api->versions.max) {
    return DecodedRequest{*std::move(header), api, NewMessage(api->request), true};
  }
  if (!api->versions.Contains(header->api_version)) {
    return absl::UnimplementedError(
        absl::StrCat(AbslView(api->name), " version ", header->api_version, " is not supported"));
  }
  absl::StatusOr<Struct> body =
      DecodeMessage(api->request, header->api_version, frame.substr(body_offset), limits);
  if (!body.ok()) return body.status();
  return DecodedRequest{*std::move(header), api, *std::move(body), false};
}

absl::Status EncodeRequest(const RequestHeader& header, const Struct& body, std::string* out) {
  const ApiDef* api = FindApi(header.api_key);
  if (api == nullptr) return absl::InvalidArgumentError("unknown api key");
  EncodeRequestHeader(header, out);
  return EncodeMessage(api->request, header.api_version, body, out);
}

absl::Status EncodeResponse(int16_t api_key, int16_t api_version, int32_t correlation_id,
                            const Struct& body, std::string* out) {
  const ApiDef* api = FindApi(api_key);
  if (api == nullptr) return absl::InvalidArgumentError("unknown api key");
  WireWriter w(out);
  w.WriteInt32(correlation_id);
  if (ResponseHeaderVersion(api_key, api_version) >= 1) w.WriteUnsignedVarint(0);
  return EncodeMessage(api->response, api_version, body, out);
}

absl::StatusOr<Struct> DecodeResponse(int16_t api_key, int16_t api_version, std::string_view frame,
                                      int32_t* correlation_id, const DecodeLimits& limits) {
  const ApiDef* api = FindApi(api_key);
  if (api == nullptr) return absl::InvalidArgumentError("unknown api key");
  WireReader in(frame);
  if (!in.ReadInt32(correlation_id)) return absl::InvalidArgumentError("truncated response header");
  if (ResponseHeaderVersion(api_key, api_version) >= 1) {
    if (absl::Status s = SkipTaggedFields(&in); !s.ok()) return s;
  }
  return DecodeMessage(api->response, api_version, frame.substr(in.position()), limits);
}

}  // namespace choreo::kafka
