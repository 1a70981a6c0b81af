import { MemoryChannel } from "../../../engines/agent/memory-channel.ts";
import { channelContract } from "./helpers/channel-contract.ts";

channelContract("memory channel", async (capacity, transactionCapacity, keepAliveMs) => {
  const ch = new MemoryChannel({ name: "c1", type: "memory", capacity, transactionCapacity, keepAliveMs });
  await ch.start();
  return ch;
});
