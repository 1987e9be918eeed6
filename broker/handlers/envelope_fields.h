// What the event index keeps of a batch: the envelope (CloudEvents headers, see
// client/include/choreo/saga/envelope.h) of each of its records that carries one. The broker reads
// it from the batch it is about to append; the store writes it with the batch.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "choreo/storage/event_index.h"

namespace choreo::broker {

// The enveloped records of a batch that passed proto::ValidateBatch, in offset order; null when it
// has none. A record is enveloped when it has the headers ce_id, ce_type and ce_specversion. Its
// time is ce_time (RFC 3339) or, when that is absent or malformed, the record's timestamp. A record
// whose ce_id, ce_type, ce_source, ce_correlationid or ce_causationid is longer than
// storage::kMaxIndexedFieldBytes is not indexed; a longer record key is left out of its entry.
std::shared_ptr<const std::vector<storage::IndexedEventFields>> ExtractIndexedEvents(
    std::string_view batch);

}  // namespace choreo::broker
