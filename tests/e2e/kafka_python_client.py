"""kafka-python (Debian's python3-kafka: a Kafka client written in pure Python, sharing no code
with librdkafka) against choreod's Kafka listener, driven by kafka_python_test.cc.

Usage: kafka_python_client.py BOOTSTRAP COMMAND ARGS...
  create TOPIC PARTITIONS            CreateTopics
  produce TOPIC CODEC COUNT          COUNT keyed records with two headers, compressed with CODEC
                                     (none|gzip|lz4), acks=all; prints "partition offset" per record
  consume TOPIC                      every record from the beginning of every partition, one JSON
                                     object per line: partition, offset, key, value, headers,
                                     timestamp
  offsets-for-time TOPIC PARTITION MS  ListOffsets by timestamp: prints the first offset whose
                                     timestamp is >= MS, or "none"
  group TOPIC GROUP COUNT            joins GROUP (subscribe), consumes until COUNT records, commits
                                     and leaves; prints the sorted values
Exits non-zero with the client's error on stderr when anything fails.
"""

import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

TIMEOUT_MS = 20000


def text(data):
    return None if data is None else data.decode("utf-8", "replace")


def create(bootstrap, topic, partitions):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=TIMEOUT_MS)
    admin.create_topics([NewTopic(topic, int(partitions), 1)])
    admin.close()


def produce(bootstrap, topic, codec, count):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        compression_type=None if codec == "none" else codec,
        request_timeout_ms=TIMEOUT_MS,
    )
    futures = []
    for i in range(int(count)):
        futures.append(
            producer.send(
                topic,
                key=("order-%d" % i).encode(),
                value=("%s payload %d" % (codec, i)).encode(),
                headers=[("ce_type", b"OrderCreated"), ("ce_id", ("evt-%d" % i).encode())],
            )
        )
    producer.flush()
    for future in futures:
        metadata = future.get(timeout=TIMEOUT_MS / 1000)
        print(metadata.partition, metadata.offset)
    producer.close()


def consumer_for(bootstrap, topic):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        request_timeout_ms=TIMEOUT_MS + 5000,
    )
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise SystemExit("topic %s: no partitions in the metadata" % topic)
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    return consumer, assigned


def consume(bootstrap, topic):
    consumer, assigned = consumer_for(bootstrap, topic)
    consumer.seek_to_beginning()
    end = consumer.end_offsets(assigned)
    records = []
    position = {tp: 0 for tp in assigned}
    while any(position[tp] < end[tp] for tp in assigned):
        batches = consumer.poll(timeout_ms=TIMEOUT_MS)
        if not batches:
            raise SystemExit("consume: no records within %d ms (at %s of %s)" % (TIMEOUT_MS, position, end))
        for tp, messages in batches.items():
            for m in messages:
                records.append(m)
                position[tp] = m.offset + 1
    records.sort(key=lambda m: (m.partition, m.offset))
    for m in records:
        print(
            json.dumps(
                {
                    "partition": m.partition,
                    "offset": m.offset,
                    "key": text(m.key),
                    "value": text(m.value),
                    "headers": [[k, text(v)] for k, v in m.headers],
                    "timestamp": m.timestamp,
                },
                sort_keys=True,
            )
        )
    consumer.close()


def offsets_for_time(bootstrap, topic, partition, ms):
    consumer, _ = consumer_for(bootstrap, topic)
    tp = TopicPartition(topic, int(partition))
    found = consumer.offsets_for_times({tp: int(ms)})[tp]
    print("none" if found is None else found.offset)
    consumer.close()


def group(bootstrap, topic, group_id, count):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
        request_timeout_ms=TIMEOUT_MS + 5000,
    )
    consumer.subscribe([topic])
    values = []
    while len(values) < int(count):
        batches = consumer.poll(timeout_ms=TIMEOUT_MS)
        if not batches:
            raise SystemExit("group: %d of %s records within %d ms" % (len(values), count, TIMEOUT_MS))
        for messages in batches.values():
            values.extend(text(m.value) for m in messages)
    consumer.commit()
    consumer.close()
    for value in sorted(values):
        print(value)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    bootstrap, command, args = argv[1], argv[2], argv[3:]
    commands = {
        "create": create,
        "produce": produce,
        "consume": consume,
        "offsets-for-time": offsets_for_time,
        "group": group,
    }
    if command not in commands:
        raise SystemExit("unknown command %s\n%s" % (command, __doc__))
    commands[command](bootstrap, *args)


if __name__ == "__main__":
    main(sys.argv)
