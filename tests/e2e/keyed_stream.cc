#include "tests/e2e/keyed_stream.h"

#include <set>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

std::string Value(int key, int64_t seq) {
  return "key-" + std::to_string(key) + ":" + std::to_string(seq);
}

}  // namespace

KeyedStream::KeyedStream(Producer& producer, Options options)
    : producer_(producer), options_(std::move(options)) {}

KeyedStream::~KeyedStream() {
  Stop();
}

void KeyedStream::Start() {
  thread_ = std::thread([this] { Run(); });
}

void KeyedStream::Stop() {
  stop_ = true;
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyedStream::Run() {
  std::vector<int64_t> next_seq(options_.keys, 0);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; !stop_ && (options_.max_records == 0 || i < options_.max_records); ++i) {
    if (options_.records_per_second > 0) {
      std::this_thread::sleep_until(  // pacing, not synchronization
          start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(i / options_.records_per_second)));
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return in_flight_ < options_.max_in_flight || stop_; });
      if (stop_) break;
      ++in_flight_;
    }
    const int key = static_cast<int>(i % options_.keys);
    const int64_t seq = next_seq[key]++;
    producer_.Send(
        options_.topic, Record{"key-" + std::to_string(key), Value(key, seq), {}, 0}, std::nullopt,
        [this, key, seq](const Result<RecordMetadata>& result) { OnOutcome(key, seq, result); });
    ++sent_;
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_sending_ = true;
  changed_.notify_all();
}

bool KeyedStream::WaitSent(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [this] { return done_sending_; });
}

void KeyedStream::OnOutcome(int key, int64_t seq, const Result<RecordMetadata>& result) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  if (++outcomes_[{key, seq}] > 1) ++repeated_;
  if (result.ok()) {
    acks_.push_back(Ack{key, seq, result->partition, result->offset});
  } else {
    if (failed_++ == 0) first_failure_ = result.status().ToString();
  }
  changed_.notify_all();
}

bool KeyedStream::WaitForAcks(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return acks_.size() >= n; });
}

bool KeyedStream::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return in_flight_ == 0; });
}

size_t KeyedStream::acked() {
  std::lock_guard<std::mutex> lock(mu_);
  return acks_.size();
}

std::vector<KeyedStream::Ack> KeyedStream::acks() {
  std::lock_guard<std::mutex> lock(mu_);
  return acks_;
}

int64_t KeyedStream::failed() {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

std::string KeyedStream::first_failure() {
  std::lock_guard<std::mutex> lock(mu_);
  return first_failure_;
}

int64_t KeyedStream::repeated() {
  std::lock_guard<std::mutex> lock(mu_);
  return repeated_;
}

size_t ExpectExactlyOnceInOrder(const std::string& broker, const std::string& topic,
                                const std::vector<KeyedStream::Ack>& acks) {
  ClientOptions options;
  options.broker = broker;
  const std::map<uint32_t, std::vector<ConsumedRecord>> read = ReadTopic(options, topic);
  std::map<std::pair<uint32_t, int64_t>, const std::string*> at;  // (partition, offset) -> value
  std::set<std::string> seen;
  std::map<std::string, int64_t> last_seq;  // key -> last seq stored
  std::map<std::string, uint32_t> partition_of_key;
  size_t records = 0;
  int reported = 0;
  for (const auto& [partition, stored] : read) {
    for (const ConsumedRecord& record : stored) {
      ++records;
      const std::string& value = record.record.value;
      at[{partition, record.offset}] = &value;
      if (!seen.insert(value).second && reported++ < 10) {
        ADD_FAILURE() << "stored twice: " << value << " (partition " << partition << " offset "
                      << record.offset << ")";
      }
      const std::string& key = record.record.key;
      auto [owner, first] = partition_of_key.emplace(key, partition);
      if (!first && owner->second != partition && reported++ < 10) {
        ADD_FAILURE() << key << " is stored in partitions " << owner->second << " and "
                      << partition;
      }
      const int64_t seq = std::stoll(value.substr(value.find(':') + 1));
      auto [last, new_key] = last_seq.emplace(key, seq);
      if (!new_key) {
        if (seq <= last->second && reported++ < 10) {
          ADD_FAILURE() << "out of order: " << value << " after seq " << last->second
                        << " (partition " << partition << " offset " << record.offset << ")";
        }
        last->second = seq;
      }
    }
  }
  for (const KeyedStream::Ack& ack : acks) {
    auto it = at.find({ack.partition, ack.offset});
    const std::string expected = Value(ack.key, ack.seq);
    if (it == at.end()) {
      if (reported++ < 10) {
        ADD_FAILURE() << "acknowledged " << expected << " at partition " << ack.partition
                      << " offset " << ack.offset << " is missing";
      }
    } else if (*it->second != expected && reported++ < 10) {
      ADD_FAILURE() << "partition " << ack.partition << " offset " << ack.offset << " holds "
                    << *it->second << ", acknowledged as " << expected;
    }
  }
  return records;
}

}  // namespace choreo::e2e
