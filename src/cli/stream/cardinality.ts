/**
 * Caps the label sets `hotpath stream` exports: span names come from the traced services (and whoever can reach
 * them), so distinct (service, operation) pairs are admitted up to a limit, first come first served; the rest go
 * under operation "other" of their service, or service "other" too when the service itself was never admitted.
 * At most 2 × limit + 1 label pairs can therefore exist, whatever the input.
 */
export const OTHER = 'other';

export class CardinalityGuard {
  private readonly admitted = new Map<string, Set<string>>();
  private pairs = 0;

  constructor(readonly limit: number) {}

  /** The labels to export for (service, operation), and whether they were folded into "other". */
  labels(service: string, operation: string): { service: string; operation: string; folded: boolean } {
    const operations = this.admitted.get(service);
    if (operations?.has(operation)) {
      return { service, operation, folded: false };
    }
    if (this.pairs < this.limit) {
      this.pairs++;
      if (operations === undefined) {
        this.admitted.set(service, new Set([operation]));
      } else {
        operations.add(operation);
      }
      return { service, operation, folded: false };
    }
    return { service: operations === undefined ? OTHER : service, operation: OTHER, folded: true };
  }

  /** A service label on its own (a trace's root service): a service with an admitted pair, else "other". */
  service(service: string): string {
    return this.admitted.has(service) ? service : OTHER;
  }
}
