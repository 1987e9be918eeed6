// ThreadSanitizer suppressions for every binary that runs RocksDB under TSan (choreod in a tsan
// build, storage_test, broker_test), linked in as an object (TSan calls this hook at start-up; in
// other builds nothing calls it).
//
// Why: Debian's RocksDB is not built with -fsanitize=thread, so TSan cannot see its internal
// synchronization: atomic reference counts, the lock-free memtable skip list, the write thread's
// leader/follower queue. Memtables, SuperVersions, table readers and file metadata are freed by
// RocksDB's background threads once such a count drops to zero, while a reader that held a
// reference earlier touched that memory through intercepted calls (memcmp, memcpy); a flush reads
// memtable blocks the committer filled; the write-group leader merges a follower's batch. Each
// entry names a RocksDB frame; our own code is never matched, so a race between our threads is
// still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "race:rocksdb::Arena::~Arena\n"
         "race:rocksdb::SuperVersion::~SuperVersion\n"
         "race:rocksdb::Version::Unref\n"
         "race:rocksdb::BinarySearchIndexReader::~BinarySearchIndexReader\n"
         "race:rocksdb::DBImpl::PurgeObsoleteFiles\n"
         "race:rocksdb::MemTable::Add\n"
         "race:rocksdb::Arena::AllocateNewBlock\n"
         "race:rocksdb::WritableFileWriter::Append\n"
         // A WAL file closed by a background flush once its memtables are on disk, after the
         // committer's last write to it (ordered by RocksDB's write thread). Visible since the WAL
         // files go through choreo's WalSyncFileSystem wrapper (storage/wal_sync.h), whose
         // forwarding calls are instrumented.
         "race:rocksdb::WritableFileWriter::Close\n"
         "race:rocksdb::log::Writer::Close\n"
         // The write-group leader (the committer) merging a follower's batch (a retention pass or
         // an offset commit), and the leader/follower hand-off itself.
         "race:rocksdb::WriteBatchInternal::Append\n"
         "race:rocksdb::WriteThread::\n"
         // A reader's key comparison inside a memtable block the committer is filling; TSan
         // sometimes loses the writer's stack, so the reader's frame is the one to match.
         "race:BytewiseComparatorImpl\n"
         // A flush (or compaction) copying entries out of a memtable the committer filled, into
         // the iterator or straight into an SST block.
         "race:rocksdb::CompactionIterator::NextFromInput\n"
         "race:rocksdb::BlockBuilder::\n"
         // The block cache's statistics collector, guarded by RocksDB's own (uninstrumented)
         // synchronization.
         "race:rocksdb::CopyCacheDeleterRoleMap\n";
}

// The suppressions above match RocksDB frames, which a report shows only when RocksDB calls an
// intercepted function (memcpy, memcmp) itself: TSan's stacks hold instrumented frames, and
// RocksDB is not instrumented. When RocksDB goes through libstdc++ (appending a write-group
// member's batch to a std::string, say), the report holds libstdc++'s frame and ours around it,
// and no RocksDB frame to match (seen in PowerLossTest: the committer, as write-group leader, and
// an offset commit, as follower, "racing" on the leader's batch). So interceptors called from
// uninstrumented modules (RocksDB, libstdc++, protobuf) are ignored. The cost: a race between our
// threads inside an out-of-line libstdc++ function goes unseen; every access our own code makes
// (including inlined std:: code) is still checked.
extern "C" const char* __tsan_default_options() {
  return "ignore_noninstrumented_modules=1";
}
