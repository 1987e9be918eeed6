#include "broker/kafka/handlers/record_translate.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/kafka/errors.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::kafka {
namespace {

proto::Compression StoredCodec(Compression kafka) {
  switch (kafka) {
    case Compression::kNone:
      return proto::COMPRESSION_NONE;
    case Compression::kZstd:
      return proto::COMPRESSION_ZSTD;
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kLz4:
      break;
  }
  return proto::COMPRESSION_LZ4;
}

Compression FetchedCodec(proto::Compression stored) {
  switch (stored) {
    case proto::COMPRESSION_LZ4:
      return Compression::kLz4;
    case proto::COMPRESSION_ZSTD:
      return Compression::kZstd;
    default:
      return Compression::kNone;
  }
}

}  // namespace

absl::StatusOr<ProducedBatch> KafkaToChoreoBatch(std::string_view kafka_batch,
                                                 const BatchLimits& limits) {
  ProducedBatch out;
  std::string scratch;
  std::vector<RecordView> views;
  if (absl::Status s = DecodeRecords(kafka_batch, limits, &scratch, &out.header, &views); !s.ok())
    return s;
  const BatchHeader& h = out.header;
  if (views.empty()) return absl::InvalidArgumentError("record batch without records");
  if (h.last_offset_delta != h.record_count - 1) {
    return absl::InvalidArgumentError(absl::StrCat("last offset delta ", h.last_offset_delta,
                                                   " for ", h.record_count, " records"));
  }
  if (h.control()) return absl::InvalidArgumentError("control batch from a producer");
  proto::RecordList list;
  list.mutable_records()->Reserve(static_cast<int>(views.size()));
  for (size_t i = 0; i < views.size(); ++i) {
    const RecordView& view = views[i];
    if (view.offset_delta != static_cast<int32_t>(i)) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " has offset delta ", view.offset_delta));
    }
    proto::Record* record = list.add_records();
    if (view.key) record->set_key(view.key->data(), view.key->size());
    if (view.value) record->set_value(view.value->data(), view.value->size());
    record->set_timestamp_ms(h.base_timestamp + view.timestamp_delta);
    for (const RecordHeaderView& header : view.headers) {
      proto::Header* out_header = record->add_headers();
      out_header->set_key(header.key.data(), header.key.size());
      if (header.value) out_header->set_value(header.value->data(), header.value->size());
    }
  }
  const proto::BatchProducerFields producer{.producer_id = h.producer_id,
                                            .producer_epoch = h.producer_epoch,
                                            .base_sequence = h.base_sequence};
  if (!proto::EncodeBatch(list, StoredCodec(h.compression()), producer, &out.choreo_batch))
    return absl::InternalError("cannot encode the translated batch");
  return out;
}

absl::Status AppendChoreoBatchAsKafka(std::string_view choreo_batch, int64_t base_offset,
                                      std::string* out) {
  proto::RecordBatch header;
  proto::RecordList list;
  std::string message;
  if (proto::DecodeBatch(choreo_batch, &header, &list, &message) != proto::NONE)
    return absl::DataLossError(AbslView(message));
  std::vector<RecordInput> inputs(static_cast<size_t>(list.records_size()));
  const bool log_append_time = header.log_append_time_ms() != 0;
  for (int i = 0; i < list.records_size(); ++i) {
    proto::Record& record = *list.mutable_records(i);
    RecordInput& input = inputs[static_cast<size_t>(i)];
    // Moved, not copied: the decoded list is thrown away.
    if (!record.key().empty()) input.key = std::move(*record.mutable_key());
    input.value = std::move(*record.mutable_value());
    input.timestamp_ms = log_append_time ? header.log_append_time_ms() : record.timestamp_ms();
    input.headers.reserve(static_cast<size_t>(record.headers_size()));
    for (proto::Header& h : *record.mutable_headers())
      input.headers.emplace_back(std::move(*h.mutable_key()), std::move(*h.mutable_value()));
  }
  BatchBuildOptions options{.base_offset = base_offset,
                            .compression = FetchedCodec(header.compression()),
                            .log_append_time = log_append_time,
                            .producer_id = header.producer_id(),
                            .producer_epoch = static_cast<int16_t>(header.producer_epoch()),
                            .base_sequence = header.base_sequence()};
  if (options.producer_id < 0) {
    options.producer_epoch = -1;
    options.base_sequence = -1;
  }
  absl::StatusOr<std::string> built = BuildBatch(options, inputs);
  if (!built.ok()) return built.status();
  out->append(*built);
  return absl::OkStatus();
}

}  // namespace choreo::kafka
