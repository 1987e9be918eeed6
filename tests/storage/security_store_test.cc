// Pins the stored form of the broker's security records (meta key types 'U', 'A', 'O') and checks
// that they survive reopening the store. A change to the expected bytes is a format change: it
// needs a new version byte.
#include <gtest/gtest.h>

#include <string>

#include "choreo/storage/log_store.h"
#include "tests/storage/raw_db.h"
#include "tests/storage/test_util.h"

namespace choreo::storage {
namespace {

class SecurityStoreTest : public testing::StoreTest {};

TEST_F(SecurityStoreTest, RecordsSurviveReopenSortedByKeyPerKind) {
  LogStore& store = OpenStore();
  ASSERT_TRUE(store.PutSecurityRecord(SecurityRecordKind::kUser, {"bob", "cred-b"}).ok());
  ASSERT_TRUE(store.PutSecurityRecord(SecurityRecordKind::kUser, {"alice", "cred-a"}).ok());
  ASSERT_TRUE(store.PutSecurityRecord(SecurityRecordKind::kAcl, {"acl-1", ""}).ok());
  ASSERT_TRUE(store.PutSecurityRecord(SecurityRecordKind::kUser, {"bob", "cred-b2"}).ok());
  ASSERT_TRUE(store.DeleteSecurityRecord(SecurityRecordKind::kAcl, "missing").ok());
  CloseStore();
  LogStore& reopened = OpenStore();
  absl::StatusOr<std::vector<SecurityRecord>> users =
      reopened.ListSecurityRecords(SecurityRecordKind::kUser);
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].key, "alice");
  EXPECT_EQ((*users)[0].value, "cred-a");
  EXPECT_EQ((*users)[1].value, "cred-b2");
  ASSERT_TRUE(reopened.DeleteSecurityRecord(SecurityRecordKind::kAcl, "acl-1").ok());
  EXPECT_TRUE(reopened.ListSecurityRecords(SecurityRecordKind::kAcl)->empty());
  EXPECT_TRUE(reopened.ListSecurityRecords(SecurityRecordKind::kProducerOwner)->empty());
}

TEST_F(SecurityStoreTest, KeyAndValueArePinned) {
  LogStore& store = OpenStore();
  ASSERT_TRUE(store.PutSecurityRecord(SecurityRecordKind::kUser, {"al", "xy"}).ok());
  CloseStore();
  testing::RawDb raw(options_.data_dir);
  EXPECT_EQ(raw.Get(raw.meta(), "Ual"), std::string("\x01xy", 3));
}

TEST_F(SecurityStoreTest, RejectsEmptyAndOversizedKeysAndValues) {
  LogStore& store = OpenStore();
  EXPECT_EQ(store.PutSecurityRecord(SecurityRecordKind::kUser, {"", "v"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                .PutSecurityRecord(SecurityRecordKind::kUser,
                                   {"k", std::string(kMaxSecurityValueBytes + 1, 'v')})
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                .DeleteSecurityRecord(SecurityRecordKind::kUser,
                                      std::string(kMaxSecurityKeyBytes + 1, 'k'))
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::storage
