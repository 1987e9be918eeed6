#include "client/saga/offset_tracker.h"

#include <algorithm>
#include <cstring>

namespace choreo::saga::internal {
namespace {

constexpr std::string_view kMetadataPrefix = "choreo-saga/1 ";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kBase64[(n >> 18) & 63]);
    out.push_back(kBase64[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kBase64[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kBase64[n & 63] : '=');
  }
  return out;
}

bool Unbase64(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      const char* at = c == '=' ? nullptr : std::strchr(kBase64, c);
      if (c == '=') {
        ++pad;
      } else if (at == nullptr || c == '\0' || pad > 0) {
        return false;
      }
      n = n << 6 | (at ? static_cast<uint32_t>(at - kBase64) : 0);
    }
    out->push_back(static_cast<char>(n >> 16));
    if (pad < 2) out->push_back(static_cast<char>(n >> 8 & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

}  // namespace

std::string EncodeCommitMetadata(const CommitPoint& point) {
  if (point.finished_above.empty()) return std::string(kMetadataPrefix);
  const int64_t span = *point.finished_above.rbegin() - point.offset;  // bits needed
  std::string bitmap(static_cast<size_t>((span + 7) / 8), '\0');
  for (int64_t offset : point.finished_above) {
    const int64_t bit = offset - point.offset - 1;
    bitmap[static_cast<size_t>(bit / 8)] |= static_cast<char>(1 << (bit % 8));
  }
  return std::string(kMetadataPrefix) + Base64(bitmap);
}

std::set<int64_t> DecodeCommitMetadata(int64_t offset, std::string_view metadata) {
  std::set<int64_t> finished;
  if (metadata.substr(0, kMetadataPrefix.size()) != kMetadataPrefix) return finished;
  std::string bitmap;
  if (!Unbase64(metadata.substr(kMetadataPrefix.size()), &bitmap)) return finished;
  for (size_t byte = 0; byte < bitmap.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      if (static_cast<uint8_t>(bitmap[byte]) & (1 << bit))
        finished.insert(offset + 1 + static_cast<int64_t>(byte * 8 + bit));
    }
  }
  return finished;
}

PartitionProgress::PartitionProgress(CommitPoint committed)
    : low_(committed.offset),
      polled_end_(committed.offset),
      finished_(std::move(committed.finished_above)) {}

bool PartitionProgress::IsFinished(int64_t offset) const {
  return offset < low_ || finished_.count(offset) > 0;
}

void PartitionProgress::Track(int64_t offset) {
  outstanding_.insert(offset);
  polled_end_ = std::max(polled_end_, offset + 1);
}

void PartitionProgress::Finish(int64_t offset) {
  outstanding_.erase(offset);
  polled_end_ = std::max(polled_end_, offset + 1);
  if (offset >= low_) finished_.insert(offset);
  // Advance the low mark over the contiguous finished prefix.
  while (!finished_.empty() && *finished_.begin() == low_) {
    finished_.erase(finished_.begin());
    ++low_;
  }
}

CommitPoint PartitionProgress::Commit() const {
  // Everything below low_ is finished, and an outstanding offset is never below it (offsets
  // below it are skipped when polled), so the lowest unfinished offset is the smaller of the two.
  CommitPoint point;
  point.offset = outstanding_.empty() ? low_ : *outstanding_.begin();
  for (auto it = finished_.upper_bound(point.offset); it != finished_.end(); ++it)
    point.finished_above.insert(*it);
  return point;
}

int64_t PartitionProgress::window() const {
  return polled_end_ - (outstanding_.empty() ? low_ : *outstanding_.begin());
}

}  // namespace choreo::saga::internal
