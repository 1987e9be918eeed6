// The generic Kafka message codec: walks a MessageDef (schema.h) for one version and reads or
// writes a Struct (value.h). Non-flexible versions use int16/int32 length prefixes; flexible
// versions (MessageDef::flexible_from) use compact lengths and end every struct with tagged fields,
// which the decoder skips and the encoder writes as none.
//
// Untrusted input never crashes the decoder or makes it allocate without bound: every length is
// checked against the bytes that remain before anything is copied, an array may not declare more
// elements than bytes remain, and DecodeLimits caps the elements of the whole tree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/kafka/schema.h"
#include "broker/kafka/value.h"

namespace choreo::kafka {

struct DecodeLimits {
  // Array elements across the whole message. A decoded element costs ~100-150 bytes of tree for
  // as little as 1 byte of input, so this (not only the frame size) bounds the tree's memory.
  // Default: 262,144 (well over a produce to 10,000 partitions; ~40 MiB of tree at worst).
  uint32_t max_array_elements = 1u << 18;
};

// Decodes a whole message body of `version`. Trailing bytes after the last field are an error.
// Errors: InvalidArgument (malformed or truncated input, a null where the version allows none),
// ResourceExhausted (over `limits`).
absl::StatusOr<Struct> DecodeMessage(const MessageDef& def, int16_t version, std::string_view body,
                                     const DecodeLimits& limits = {});

// Appends the encoding of `message` (a Struct of `def`) at `version` to `*out`. Fields absent from
// `version` are not written. Errors (InvalidArgument, with `*out` partly written): a null in a
// field that is not nullable in `version`, a string over 32,767 bytes, a Struct of another
// definition.
absl::Status EncodeMessage(const MessageDef& def, int16_t version, const Struct& message,
                           std::string* out);

}  // namespace choreo::kafka
