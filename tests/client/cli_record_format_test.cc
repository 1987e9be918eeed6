#include "client/cli/record_format.h"

#include <gtest/gtest.h>

namespace choreo::cli {
namespace {

TEST(RecordFormatTest, LineWithoutSeparatorIsTheValue) {
  Record record = ParseInputLine("a:b", std::nullopt, {{"h", "1"}});
  EXPECT_EQ(record.key, "");
  EXPECT_EQ(record.value, "a:b");
  ASSERT_EQ(record.headers.size(), 1u);
  EXPECT_EQ(record.headers[0].key, "h");
  EXPECT_EQ(record.timestamp_ms, 0);
}

TEST(RecordFormatTest, KeyIsTextBeforeFirstSeparator) {
  Record record = ParseInputLine("user-1::x::y", std::string("::"), {});
  EXPECT_EQ(record.key, "user-1");
  EXPECT_EQ(record.value, "x::y");
  Record no_key = ParseInputLine("plain", std::string("::"), {});
  EXPECT_EQ(no_key.key, "");
  EXPECT_EQ(no_key.value, "plain");
  Record empty_value = ParseInputLine("k::", std::string("::"), {});
  EXPECT_EQ(empty_value.key, "k");
  EXPECT_EQ(empty_value.value, "");
}

TEST(RecordFormatTest, ValueFormatPrintsTheValueAsIs) {
  ConsumedRecord r{"t", 2, 17, Record{"k", "a\tb", {}, 0}};
  EXPECT_EQ(FormatRecord(r, OutputFormat::kValue), "a\tb");
}

TEST(RecordFormatTest, FullFormatIsTabSeparatedAndEscaped) {
  ConsumedRecord r{"t", 2, 17, Record{"k\t1", "line1\nline2\\", {{"a", "1"}, {"b", "x\ty"}}, 0}};
  EXPECT_EQ(FormatRecord(r, OutputFormat::kFull), "2\t17\tk\\t1\ta=1,b=x\\ty\tline1\\nline2\\\\");
  ConsumedRecord bare{"t", 0, 0, Record{"", "v", {}, 0}};
  EXPECT_EQ(FormatRecord(bare, OutputFormat::kFull), "0\t0\t\t\tv");
}

}  // namespace
}  // namespace choreo::cli
