#include "broker/kafka/codec.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "broker/kafka/errors.h"
#include "broker/kafka/wire.h"

namespace choreo::kafka {
namespace {

class Decoder {
 public:
  Decoder(std::string_view body, int16_t version, bool flexible, const DecodeLimits& limits)
      : in_(body),
        version_(version),
        flexible_(flexible),
        elements_left_(limits.max_array_elements) {}

  absl::Status DecodeStruct(const FieldList& fields, Struct* out) {
    for (size_t i = 0; i < fields.size(); ++i) {
      const FieldDef& f = fields[i];
      if (!f.versions.Contains(version_)) continue;  // keeps its default
      if (absl::Status s = DecodeField(f, &out->values()[i]); !s.ok()) return s;
    }
    if (flexible_) return SkipTaggedFields();
    return absl::OkStatus();
  }

  WireReader& reader() { return in_; }

 private:
  absl::Status Truncated(const FieldDef& f) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncated or malformed field '", AbslView(f.name), "'"));
  }

  // Reads a length or count: int16/int32, or a compact uvarint (n+1, 0 for null). -1 is null.
  absl::Status ReadLength(const FieldDef& f, bool wide, int64_t* n) {
    if (flexible_) {
      uint32_t raw = 0;
      if (!in_.ReadUnsignedVarint(&raw)) return Truncated(f);
      *n = static_cast<int64_t>(raw) - 1;
    } else if (wide) {
      int32_t v = 0;
      if (!in_.ReadInt32(&v)) return Truncated(f);
      *n = v;
    } else {
      int16_t v = 0;
      if (!in_.ReadInt16(&v)) return Truncated(f);
      *n = v;
    }
    if (*n < -1) {
      return absl::InvalidArgumentError(
          absl::StrCat("negative length ", *n, " in '", AbslView(f.name), "'"));
    }
    if (*n == -1 && !f.nullable.Contains(version_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("null in '", AbslView(f.name), "', not nullable in version ", version_));
    }
    return absl::OkStatus();
  }

  absl::Status DecodeScalar(const FieldDef& f, FieldType type, Value* v) {
    switch (type) {
      case FieldType::kBool:
      case FieldType::kInt8: {
        int8_t x = 0;
        if (!in_.ReadInt8(&x)) return Truncated(f);
        v->i = type == FieldType::kBool ? (x != 0) : x;
        return absl::OkStatus();
      }
      case FieldType::kInt16: {
        int16_t x = 0;
        if (!in_.ReadInt16(&x)) return Truncated(f);
        v->i = x;
        return absl::OkStatus();
      }
      case FieldType::kInt32: {
        int32_t x = 0;
        if (!in_.ReadInt32(&x)) return Truncated(f);
        v->i = x;
        return absl::OkStatus();
      }
      case FieldType::kInt64:
        if (!in_.ReadInt64(&v->i)) return Truncated(f);
        return absl::OkStatus();
      case FieldType::kString:
      case FieldType::kBytes:
      case FieldType::kRecords: {
        int64_t n = 0;
        if (absl::Status s = ReadLength(f, type != FieldType::kString, &n); !s.ok()) return s;
        v->null = n == -1;
        if (v->null) return absl::OkStatus();
        std::string_view bytes;
        if (!in_.ReadBytes(static_cast<size_t>(n), &bytes)) return Truncated(f);
        v->bytes.assign(bytes);
        return absl::OkStatus();
      }
      case FieldType::kArray:
        break;
    }
    return absl::InternalError(absl::StrCat("field '", AbslView(f.name), "' has no scalar type"));
  }

  absl::Status DecodeField(const FieldDef& f, Value* v) {
    if (f.type != FieldType::kArray) return DecodeScalar(f, f.type, v);
    int64_t n = 0;
    if (absl::Status s = ReadLength(f, true, &n); !s.ok()) return s;
    v->null = n == -1;
    if (v->null) return absl::OkStatus();
    // Every element takes at least one byte (tests check that no element struct is empty in any
    // version), so a count over the remaining bytes is a lie; refuse it before allocating.
    if (static_cast<uint64_t>(n) > in_.remaining()) {
      return absl::InvalidArgumentError(absl::StrCat("array '", AbslView(f.name), "' declares ", n,
                                                     " elements in ", in_.remaining(), " bytes"));
    }
    if (static_cast<uint64_t>(n) > elements_left_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "array '", AbslView(f.name), "': over the message's limit of array elements"));
    }
    elements_left_ -= static_cast<uint32_t>(n);
    for (int64_t k = 0; k < n; ++k) {
      if (f.is_struct_array()) {
        Struct& element = v->structs.emplace_back(f.fields);
        if (absl::Status s = DecodeStruct(f.fields, &element); !s.ok()) return s;
      } else {
        if (absl::Status s = DecodeScalar(f, f.element, &v->items.emplace_back()); !s.ok())
          return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status SkipTaggedFields() {
    uint32_t count = 0;
    if (!in_.ReadUnsignedVarint(&count))
      return absl::InvalidArgumentError("truncated tagged fields");
    for (uint32_t k = 0; k < count; ++k) {
      uint32_t tag = 0;
      uint32_t size = 0;
      if (!in_.ReadUnsignedVarint(&tag) || !in_.ReadUnsignedVarint(&size) || !in_.Skip(size)) {
        return absl::InvalidArgumentError("truncated tagged field");
      }
    }
    return absl::OkStatus();
  }

  WireReader in_;
  int16_t version_;
  bool flexible_;
  uint32_t elements_left_;
};

class Encoder {
 public:
  Encoder(std::string* out, int16_t version, bool flexible)
      : out_(out), version_(version), flexible_(flexible) {}

  absl::Status EncodeStruct(const FieldList& fields, const Struct& s) {
    if (&s.fields() != &fields) {
      return absl::InvalidArgumentError("struct of another definition");
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      const FieldDef& f = fields[i];
      if (!f.versions.Contains(version_)) continue;
      if (absl::Status st = EncodeField(f, s.values()[i]); !st.ok()) return st;
    }
    if (flexible_) out_.WriteUnsignedVarint(0);  // no tagged fields
    return absl::OkStatus();
  }

 private:
  absl::Status WriteLength(const FieldDef& f, bool wide, bool null, size_t n) {
    if (null && !f.nullable.Contains(version_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("null in '", AbslView(f.name), "', not nullable in version ", version_));
    }
    const size_t max = wide ? std::numeric_limits<int32_t>::max() - 1
                            : static_cast<size_t>(std::numeric_limits<int16_t>::max());
    if (n > max) {
      return absl::InvalidArgumentError(absl::StrCat("'", AbslView(f.name), "' too long: ", n));
    }
    if (flexible_) {
      out_.WriteUnsignedVarint(null ? 0 : static_cast<uint32_t>(n + 1));
    } else if (wide) {
      out_.WriteInt32(null ? -1 : static_cast<int32_t>(n));
    } else {
      out_.WriteInt16(null ? -1 : static_cast<int16_t>(n));
    }
    return absl::OkStatus();
  }

  absl::Status EncodeScalar(const FieldDef& f, FieldType type, const Value& v) {
    switch (type) {
      case FieldType::kBool:
        out_.WriteInt8(v.i != 0 ? 1 : 0);
        return absl::OkStatus();
      case FieldType::kInt8:
        out_.WriteInt8(static_cast<int8_t>(v.i));
        return absl::OkStatus();
      case FieldType::kInt16:
        out_.WriteInt16(static_cast<int16_t>(v.i));
        return absl::OkStatus();
      case FieldType::kInt32:
        out_.WriteInt32(static_cast<int32_t>(v.i));
        return absl::OkStatus();
      case FieldType::kInt64:
        out_.WriteInt64(v.i);
        return absl::OkStatus();
      case FieldType::kString:
      case FieldType::kBytes:
      case FieldType::kRecords:
        if (absl::Status s = WriteLength(f, type != FieldType::kString, v.null, v.bytes.size());
            !s.ok()) {
          return s;
        }
        if (!v.null) out_.WriteBytes(v.bytes);
        return absl::OkStatus();
      case FieldType::kArray:
        break;
    }
    return absl::InternalError(absl::StrCat("field '", AbslView(f.name), "' has no scalar type"));
  }

  absl::Status EncodeField(const FieldDef& f, const Value& v) {
    if (f.type != FieldType::kArray) return EncodeScalar(f, f.type, v);
    const size_t n = f.is_struct_array() ? v.structs.size() : v.items.size();
    if (absl::Status s = WriteLength(f, true, v.null, n); !s.ok()) return s;
    if (v.null) return absl::OkStatus();
    if (f.is_struct_array()) {
      for (const Struct& element : v.structs) {
        if (absl::Status s = EncodeStruct(f.fields, element); !s.ok()) return s;
      }
    } else {
      for (const Value& item : v.items) {
        if (absl::Status s = EncodeScalar(f, f.element, item); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  WireWriter out_;
  int16_t version_;
  bool flexible_;
};

}  // namespace

absl::StatusOr<Struct> DecodeMessage(const MessageDef& def, int16_t version, std::string_view body,
                                     const DecodeLimits& limits) {
  Decoder decoder(body, version, def.flexible(version), limits);
  Struct message(def.fields);
  if (absl::Status s = decoder.DecodeStruct(def.fields, &message); !s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat(AbslView(def.name), " v", version, ": ", s.message()));
  }
  if (decoder.reader().remaining() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(AbslView(def.name), " v", version, ": ",
                                                   decoder.reader().remaining(),
                                                   " bytes after the last field"));
  }
  return message;
}

absl::Status EncodeMessage(const MessageDef& def, int16_t version, const Struct& message,
                           std::string* out) {
  Encoder encoder(out, version, def.flexible(version));
  if (absl::Status s = encoder.EncodeStruct(def.fields, message); !s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat(AbslView(def.name), " v", version, ": ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace choreo::kafka
