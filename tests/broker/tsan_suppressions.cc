// ThreadSanitizer suppressions for broker_test, compiled into the binary (TSan calls this hook at
// start-up; in other builds it is an unused function).
//
// Why: Debian's RocksDB is not built with -fsanitize=thread, so TSan cannot see its internal
// synchronization (atomic reference counts, the lock-free memtable skip list, the write thread's
// leader/follower queue). The first five entries are tests/storage/tsan_suppressions.cc's
// (RocksDB's background threads freeing what a reader touched earlier); the broker tests add
// concurrent writers (the committer and a retention pass writing the same WAL, serialized by
// RocksDB's write thread) and readers scanning a memtable while the committer inserts into it.
// Each entry names a RocksDB frame; our own code is never matched, so a race between our threads
// is still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "race:rocksdb::Arena::~Arena\n"
         "race:rocksdb::SuperVersion::~SuperVersion\n"
         "race:rocksdb::Version::Unref\n"
         "race:rocksdb::BinarySearchIndexReader::~BinarySearchIndexReader\n"
         "race:rocksdb::DBImpl::PurgeObsoleteFiles\n"
         "race:rocksdb::MemTable::Add\n"
         "race:rocksdb::Arena::AllocateNewBlock\n"
         "race:rocksdb::WritableFileWriter::Append\n"
         // The write-group leader (the committer) merging a follower's batch (a retention pass).
         "race:rocksdb::WriteBatchInternal::Append\n"
         // A reader's key comparison inside a memtable block the committer is filling; TSan
         // sometimes loses the writer's stack, so the reader's frame is the one to match.
         "race:BytewiseComparatorImpl\n";
}
