// The one place where internal statuses become wire error codes. Handlers never pick a code for a
// storage failure themselves; they call these.
#pragma once

#include <absl/status/status.h>

#include "broker/group/group_errors.h"
#include "broker/schema/schema_errors.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/storage/errors.h"

namespace choreo::broker {

// The wire code for a storage error kind.
proto::ErrorCode ErrorCodeForKind(storage::StoreErrorKind kind);
// The wire code for a consumer-group coordinator error kind.
proto::ErrorCode ErrorCodeForGroupKind(GroupErrorKind kind);
// The wire code for a schema registry error kind.
proto::ErrorCode ErrorCodeForSchemaKind(SchemaErrorKind kind);
// The wire code for a status returned by the store, the group coordinator or the schema registry
// (NONE for OK; unknown statuses are STORAGE_ERROR).
proto::ErrorCode ErrorCodeFor(const absl::Status& status);
// Fills `error` with the code and the status message.
void SetError(const absl::Status& status, proto::Error* error);

}  // namespace choreo::broker
