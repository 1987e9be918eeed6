// ThreadSanitizer suppressions for storage_test, compiled into the binary (TSan calls this hook
// at start-up; in other builds it is an unused function).
//
// Why: Debian's RocksDB is not built with -fsanitize=thread. Its memtables, SuperVersions, table
// readers and file metadata are freed by its background threads once an atomic reference count
// (uninstrumented, so invisible to TSan) drops to zero, while a reader thread that held a
// reference earlier touched that memory through intercepted calls (memcmp in the comparator).
// TSan then reports "free after read" between a reader and rocksdb:low/high, which RocksDB's
// refcounting in fact orders. Each entry names the RocksDB frame that frees; our own code is
// never matched, so a race between our threads is still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "race:rocksdb::Arena::~Arena\n"
         "race:rocksdb::SuperVersion::~SuperVersion\n"
         "race:rocksdb::Version::Unref\n"
         "race:rocksdb::BinarySearchIndexReader::~BinarySearchIndexReader\n"
         "race:rocksdb::DBImpl::PurgeObsoleteFiles\n";
}
