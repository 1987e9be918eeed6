// Publishes an OrderCreated event and reads it back: the smallest useful program against the
// choreo client library. Usage: order_events [host:port]
#include <choreo/client/admin.h>
#include <choreo/client/consumer.h>
#include <choreo/client/producer.h>

#include <chrono>
#include <iostream>

int main(int argc, char** argv) {
  choreo::ClientOptions client;
  if (argc > 1) client.broker = argv[1];
  client.client_id = "order-service";
  client.connect_timeout = std::chrono::seconds(2);

  auto admin = choreo::Admin::Connect(client);
  if (!admin.ok()) {
    std::cerr << "error: " << admin.status().ToString() << "\n";
    return 1;
  }
  choreo::Status created = (*admin)->CreateTopic("orders", {.partitions = 1});
  if (!created.ok() && created.code() != choreo::ErrorCode::kTopicAlreadyExists) {
    std::cerr << "error: " << created.ToString() << "\n";
    return 1;
  }

  auto producer = choreo::Producer::Create({.client = client});
  if (!producer.ok()) {
    std::cerr << "error: " << producer.status().ToString() << "\n";
    return 1;
  }
  choreo::Record event{.key = "order-42",
                       .value = R"({"order_id":42,"amount":1999})",
                       .headers = {{"event-type", "OrderCreated"}}};
  auto sent = (*producer)->Send("orders", std::move(event)).get();
  if (!sent.ok()) {
    std::cerr << "error: " << sent.status().ToString() << "\n";
    return 1;
  }
  std::cout << "OrderCreated stored at orders/" << sent->partition << "@" << sent->offset << "\n";

  auto consumer = choreo::Consumer::Create({.client = client});
  if (!consumer.ok()) {
    std::cerr << "error: " << consumer.status().ToString() << "\n";
    return 1;
  }
  choreo::Status assigned =
      (*consumer)->Assign({{.partition = {"orders", sent->partition}, .offset = sent->offset}});
  if (!assigned.ok()) {
    std::cerr << "error: " << assigned.ToString() << "\n";
    return 1;
  }
  auto records = (*consumer)->Poll(std::chrono::seconds(5));
  if (!records.ok() || records->empty()) {
    std::cerr << "error: event not read back\n";
    return 1;
  }
  std::cout << "read back: " << records->front().record.value << "\n";
  return 0;
}
