#include "broker/kafka/schema.h"

#include <algorithm>

namespace choreo::kafka {

FieldDef Field(std::string_view name, FieldType type) {
  FieldDef f;
  f.name = name;
  f.type = type;
  return f;
}

FieldDef Array(std::string_view name, std::initializer_list<FieldDef> fields) {
  FieldDef f = Field(name, FieldType::kArray);
  f.fields = fields;
  return f;
}

FieldDef ScalarArray(std::string_view name, FieldType element) {
  FieldDef f = Field(name, FieldType::kArray);
  f.element = element;
  return f;
}

const std::vector<ApiDef>& AllApis() {
  static const std::vector<ApiDef>* const apis = [] {
    auto* all = new std::vector<ApiDef>();
    AddClientApis(all);
    AddGroupApis(all);
    AddAdminApis(all);
    AddSecurityApis(all);
    std::sort(all->begin(), all->end(),
              [](const ApiDef& a, const ApiDef& b) { return a.key < b.key; });
    return all;
  }();
  return *apis;
}

const ApiDef* FindApi(int16_t key) {
  const std::vector<ApiDef>& apis = AllApis();
  auto it = std::lower_bound(apis.begin(), apis.end(), key,
                             [](const ApiDef& a, int16_t k) { return a.key < k; });
  return it != apis.end() && it->key == key ? &*it : nullptr;
}

}  // namespace choreo::kafka
