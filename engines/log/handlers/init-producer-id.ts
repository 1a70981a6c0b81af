/**
 * InitProducerId: an idempotent producer (no transactional id) always gets a fresh producer id
 * with epoch 0, whatever id it presents — Kafka's coordinator does the same; epoch bumps of a
 * presented id (KIP-360) exist only for transactional ids. Transactions are not served: a
 * transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a definite error
 * rather than a retry loop.
 */

import type { BrokerContext } from "../broker-context.ts";
import type { InitProducerIdRequest, InitProducerIdResponse } from "../protocol/apis/init-producer-id.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export function handleInitProducerId(ctx: BrokerContext, req: InitProducerIdRequest): InitProducerIdResponse {
  if (req.transactionalId !== null) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      producerId: -1,
      producerEpoch: -1,
    };
  }
  return { throttleTimeMs: 0, errorCode: 0, ...ctx.producerIds.allocate() };
}
