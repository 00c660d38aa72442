/**
 * Interns (service, operation) pairs into small integers, so that traces, critical paths and aggregates
 * carry numbers instead of strings. One table is shared by every trace of an analysis run, which keeps
 * per-span memory flat and makes aggregation a typed-array lookup.
 */
export class OperationTable {
  private readonly byService = new Map<string, Map<string, number>>();
  private readonly services: string[] = [];
  private readonly operations: string[] = [];

  /** The id of (service, operation), creating it on first sight. */
  intern(service: string, operation: string): number {
    let ops = this.byService.get(service);
    if (ops === undefined) {
      ops = new Map();
      this.byService.set(service, ops);
    }
    let id = ops.get(operation);
    if (id === undefined) {
      id = this.services.length;
      this.services.push(service);
      this.operations.push(operation);
      ops.set(operation, id);
    }
    return id;
  }

  /** The id of (service, operation) if it has been seen, else undefined. */
  find(service: string, operation: string): number | undefined {
    return this.byService.get(service)?.get(operation);
  }

  get size(): number {
    return this.services.length;
  }

  service(id: number): string {
    return this.services[id];
  }

  operation(id: number): string {
    return this.operations[id];
  }
}
