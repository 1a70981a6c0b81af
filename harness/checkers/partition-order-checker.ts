/**
 * The partition-order check as a Checker, for targets whose deliveries carry partition and
 * offset: it reads the `order` figures the target's analysis put in the results.
 */

import type { Check } from "../results/types.ts";
import type { Checker } from "./checker.ts";
import { type PartitionOrder, partitionOrderCheck } from "./partition-order.ts";

export const partitionOrderChecker: Checker = {
  name: "partition-order",
  check(_history, context): Check[] {
    const order = context.results.order as PartitionOrder | undefined;
    // A figure the scenario names in its expectations is judged there (a power loss expects them).
    const expected = context.scenario.expectations.map((e) => e.path);
    return order ? [partitionOrderCheck(order, expected)] : [];
  },
};
