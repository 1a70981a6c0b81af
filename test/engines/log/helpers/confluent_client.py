"""A small command-line driver around python3-confluent-kafka (librdkafka) for the log engine's
conformance tests. Every subcommand prints JSON lines on stdout, so the Node test can assert on
what librdkafka itself reported (delivery reports, assignments, committed offsets), not on what
we hoped it did.

  create-topic  BOOTSTRAP TOPIC PARTITIONS          AdminClient.create_topics, then list_topics
  produce       BOOTSTRAP TOPIC PREFIX COUNT [--key] [--acks A] [--idempotent] [--compression C]
                [--pace SECONDS]                    (a pause after each record, to spread the
                                                    produce over a fault window)
  member        BOOTSTRAP GROUP TOPIC NAME          a consumer-group member with manual commits;
                                                    stdin "stop" commits, closes (leaves) and exits
  committed     BOOTSTRAP GROUP TOPIC PARTITIONS    the group's committed offsets per partition
  topic-configs BOOTSTRAP TOPIC                     create_topics with configs (and one with a
                                                    typo), describe_configs, alter_configs,
                                                    describe_configs again
"""

import json
import select
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def emit(**fields):
    print(json.dumps(fields), flush=True)


def create_topic(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=int(partitions), replication_factor=1)])
    for name, f in futures.items():
        try:
            f.result(10)
            emit(event="created", topic=name)
        except Exception as e:  # the test asserts on the reported error
            emit(event="create-failed", topic=name, error=str(e))
    md = admin.list_topics(timeout=10)
    t = md.topics.get(topic)
    emit(
        event="metadata",
        brokers=[{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()],
        controller=md.controller_id,
        partitions=sorted(p.id for p in t.partitions.values()) if t else [],
        leaders=sorted({p.leader for p in t.partitions.values()}) if t else [],
        error=str(t.error) if t and t.error else None,
    )


def produce(bootstrap, topic, prefix, count, *opts):
    conf = {"bootstrap.servers": bootstrap, "linger.ms": 5}
    keyed = "--key" in opts
    pace = 0.0
    it = iter(opts)
    for o in it:
        if o == "--acks":
            conf["acks"] = next(it)
        elif o == "--compression":
            conf["compression.type"] = next(it)
        elif o == "--idempotent":
            conf["enable.idempotence"] = True
        elif o == "--pace":
            pace = float(next(it))
    p = Producer(conf)
    delivered = []
    failed = []

    def report(err, msg):
        if err is not None:
            failed.append(str(err))
        else:
            delivered.append([msg.value().decode(), msg.partition(), msg.offset()])

    for i in range(int(count)):
        value = f"{prefix}{i}"
        p.produce(topic, value=value.encode(), key=(f"k{i % 7}".encode() if keyed else None), on_delivery=report)
        p.poll(0)
        if pace:
            time.sleep(pace)
    left = p.flush(15)
    emit(event="produced", delivered=delivered, failed=failed, undelivered=left)


def member(bootstrap, group, topic, name):
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": name,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 300,
            "enable.partition.eof": True,
            "topic.metadata.refresh.interval.ms": 1000,
        }
    )

    def on_assign(consumer, partitions):
        emit(event="assigned", member=name, partitions=sorted(p.partition for p in partitions))

    def on_revoke(consumer, partitions):
        emit(event="revoked", member=name, partitions=sorted(p.partition for p in partitions))

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready:
            line = sys.stdin.readline()
            if line == "" or line.strip() == "stop":
                break
        msgs = c.consume(num_messages=500, timeout=0.1)
        got = []
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    emit(event="eof", member=name, partition=m.partition(), offset=m.offset())
                else:
                    emit(event="error", member=name, error=str(err))
                continue
            got.append([m.value().decode(), m.partition(), m.offset()])
        if got:
            # Manual, synchronous commit of what was processed, before it is reported as consumed.
            try:
                c.commit(asynchronous=False)
            except Exception as e:
                emit(event="commit-failed", member=name, error=str(e))
            emit(event="messages", member=name, messages=got)
    c.close()
    emit(event="closed", member=name)


def committed(bootstrap, group, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    tps = c.committed([TopicPartition(topic, p) for p in range(int(partitions))], timeout=10)
    emit(event="committed", offsets={str(tp.partition): tp.offset for tp in tps})
    c.close()


def topic_configs(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})

    def created(t, configs):
        for name, f in admin.create_topics([NewTopic(t, 1, 1, config=configs)]).items():
            try:
                f.result(10)
                emit(event="created", topic=name)
            except Exception as e:  # the test asserts on the reported error
                emit(event="create-failed", topic=name, error=str(e))

    def described():
        for res, f in admin.describe_configs([ConfigResource("topic", topic)]).items():
            c = f.result(10)
            emit(event="described", configs={k: [v.value, v.source] for k, v in c.items()})

    created(topic, {"min.insync.replicas": "1", "retention.ms": "60000"})
    created(topic + "-typo", {"min.insync.replicaz": "1"})
    described()
    for res, f in admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "1234"})]).items():
        f.result(10)
        emit(event="altered")
    described()


COMMANDS = {"topic-configs": topic_configs, "create-topic": create_topic, "produce": produce, "member": member, "committed": committed}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
