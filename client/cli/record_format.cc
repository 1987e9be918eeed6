#include "client/cli/record_format.h"

namespace choreo::cli {

Record ParseInputLine(std::string_view line, const std::optional<std::string>& key_separator,
                      const std::vector<Header>& headers) {
  Record record;
  record.headers = headers;
  const size_t split = key_separator ? line.find(*key_separator) : std::string_view::npos;
  if (split == std::string_view::npos) {
    record.value = std::string(line);
  } else {
    record.key = std::string(line.substr(0, split));
    record.value = std::string(line.substr(split + key_separator->size()));
  }
  return record;
}

std::string EscapeField(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatRecord(const ConsumedRecord& record, OutputFormat format) {
  if (format == OutputFormat::kValue) return record.record.value;
  std::string headers;
  for (const Header& header : record.record.headers) {
    if (!headers.empty()) headers += ',';
    headers += EscapeField(header.key) + "=" + EscapeField(header.value);
  }
  return std::to_string(record.partition) + "\t" + std::to_string(record.offset) + "\t" +
         EscapeField(record.record.key) + "\t" + headers + "\t" + EscapeField(record.record.value);
}

}  // namespace choreo::cli
