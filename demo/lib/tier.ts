import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { requestContext } from './http';

/**
 * The customer tier a request says it is for (`x-customer-tier: gold`), so a fault can hit one cohort only and
 * Hotpath's attribute analysis can find it (issue #16). The header is client input: only the allow-listed values
 * count; anything else (absent, unknown, repeated, odd case) is no tier at all.
 */
export const CUSTOMER_TIERS = ['gold', 'silver', 'bronze'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export const TIER_HEADER = 'x-customer-tier';
/** The span attribute both services record on their server span. */
export const TIER_ATTRIBUTE = 'customer.tier';

export function isCustomerTier(value: unknown): value is CustomerTier {
  return typeof value === 'string' && (CUSTOMER_TIERS as readonly string[]).includes(value);
}

/** The request's tier, if its header holds exactly one allow-listed value. */
export function requestTier(request: Request): CustomerTier | undefined {
  const value = request.headers[TIER_HEADER];
  return isCustomerTier(value) ? value : undefined;
}

/** Records the request's tier on its server span (nothing when it has none). */
export function recordTier(tier: CustomerTier | undefined): void {
  if (tier !== undefined) {
    trace.getSpan(requestContext())?.setAttribute(TIER_ATTRIBUTE, tier);
  }
}
