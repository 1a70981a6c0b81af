/**
 * A kafkajs consumer in its own process, so a test can SIGKILL it like a crashed client.
 * argv: port topic groupId. Prints "joined" after each group join and "msg <value>" per message.
 */
import { kafkaFor, testConsumer } from "./kafka.ts";

const [port, topic, groupId] = process.argv.slice(2);
const consumer = testConsumer(kafkaFor(Number(port), "child"), groupId!, 2000);
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write("joined\n"));
await consumer.connect();
await consumer.subscribe({ topic: topic!, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    process.stdout.write(`msg ${message.value!.toString()}\n`);
  },
});
