import type { RequestContext } from '../shared/request-context.ts';
import { conflict } from '../shared/errors.ts';
import type { Collector } from './collector.types.ts';
import type { FleetService } from './fleet.service.ts';

/** How long the bearers a collector held stay valid after a rotation (nothing in flight is lost). */
export const rotationGraceSeconds = 600;

/**
 * How the new bearer reaches the collector: over its OpAMP connection (a new
 * ConnectionSettingsOffers), sealed to its linkmesh-agent's key (collected on the next report),
 * or shown once to the operator (Alloy Standards, or an agent that never sent a key).
 */
export type BearerDelivery = 'opamp' | 'agent' | 'shown-once';

export interface RotationOutcome {
  readonly collector: Collector;
  readonly delivery: BearerDelivery;
  /** Delivered or queued for delivery (always true when shown once: the operator has it). */
  readonly delivered: boolean;
  readonly graceSeconds: number;
  /** The new bearer, only when it must be shown once; null when it travels by itself. */
  readonly token: string | null;
}

/**
 * Rotation policy (ARCHITECTURE §2): an OpAMP collector must be connected (its bearer travels
 * over the connection); every other mode can rotate at any time. The old bearers stay valid for
 * {@link rotationGraceSeconds}.
 *
 * @example
 * const outcome = await rotateCollectorBearer(fleet, context, id);
 * if (outcome.token !== null) showOnce(outcome.token);
 */
export async function rotateCollectorBearer(
  fleet: FleetService,
  context: RequestContext,
  collectorId: string,
): Promise<RotationOutcome> {
  const collector = await fleet.get(collectorId);
  if (collector.mode === 'opamp' && collector.status !== 'connected') {
    throw conflict(
      'an OpAMP collector receives its new bearer over its connection; rotate while it is connected',
    );
  }
  const rotated = await fleet.rotateBearer(context, collector.id, rotationGraceSeconds);
  const delivery: BearerDelivery =
    collector.mode === 'opamp'
      ? 'opamp'
      : collector.mode === 'managed' && rotated.delivered
        ? 'agent'
        : 'shown-once';
  const showOnce = delivery === 'shown-once';
  return {
    collector,
    delivery,
    delivered: showOnce || rotated.delivered,
    graceSeconds: rotationGraceSeconds,
    token: showOnce ? rotated.token : null,
  };
}
