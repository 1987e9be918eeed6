#include "client/saga/offset_tracker.h"

#include <gtest/gtest.h>

namespace choreo::saga::internal {
namespace {

TEST(CommitMetadataTest, RoundTripsTheFinishedSet) {
  const CommitPoint point{.offset = 100, .finished_above = {101, 102, 107, 100 + 8192}};
  const std::string metadata = EncodeCommitMetadata(point);
  EXPECT_LT(metadata.size(), 4096u);
  EXPECT_EQ(DecodeCommitMetadata(100, metadata), point.finished_above);
  EXPECT_TRUE(DecodeCommitMetadata(100, EncodeCommitMetadata({.offset = 5})).empty());
}

TEST(CommitMetadataTest, ForeignMetadataMeansOnlyTheOffset) {
  EXPECT_TRUE(DecodeCommitMetadata(7, "").empty());
  EXPECT_TRUE(DecodeCommitMetadata(7, "set by choreo group reset").empty());
  EXPECT_TRUE(DecodeCommitMetadata(7, "choreo-saga/1 !!!").empty());
}

TEST(PartitionProgressTest, CommitIsTheLowestUnfinishedOffsetPlusFinishedAboveIt) {
  PartitionProgress p(CommitPoint{.offset = 10});
  for (int64_t o = 10; o < 15; ++o)
    p.Track(o);
  p.Finish(11);
  p.Finish(13);
  CommitPoint c = p.Commit();
  EXPECT_EQ(c.offset, 10);
  EXPECT_EQ(c.finished_above, (std::set<int64_t>{11, 13}));
  p.Finish(10);
  c = p.Commit();
  EXPECT_EQ(c.offset, 12);
  EXPECT_EQ(c.finished_above, (std::set<int64_t>{13}));
  p.Finish(12);
  p.Finish(14);
  c = p.Commit();
  EXPECT_EQ(c.offset, 15);
  EXPECT_TRUE(c.finished_above.empty());
  EXPECT_EQ(p.outstanding(), 0u);
}

TEST(PartitionProgressTest, ANewOwnerSkipsWhatTheCommitSaysIsFinished) {
  PartitionProgress p(CommitPoint{.offset = 20, .finished_above = {21, 23}});
  EXPECT_TRUE(p.IsFinished(19));
  EXPECT_FALSE(p.IsFinished(20));
  EXPECT_TRUE(p.IsFinished(21));
  EXPECT_FALSE(p.IsFinished(22));
  EXPECT_TRUE(p.IsFinished(23));
  p.Track(20);
  p.Track(22);
  p.Finish(20);
  EXPECT_EQ(p.Commit().offset, 22);
  EXPECT_EQ(p.Commit().finished_above, (std::set<int64_t>{23}));
  p.Finish(22);
  EXPECT_EQ(p.Commit().offset, 24);
}

TEST(PartitionProgressTest, WindowMeasuresHowFarPollingRanAhead) {
  PartitionProgress p(CommitPoint{.offset = 0});
  p.Track(0);
  p.Track(1);
  p.Track(2);
  EXPECT_EQ(p.window(), 3);
  p.Finish(1);
  p.Finish(2);
  EXPECT_EQ(p.window(), 3);  // 0 still holds the commit back
  p.Finish(0);
  EXPECT_EQ(p.window(), 0);
}

}  // namespace
}  // namespace choreo::saga::internal
