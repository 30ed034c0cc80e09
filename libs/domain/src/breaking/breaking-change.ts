/** A change that can break what depends on a component: a client, a running app, a table's readers. */
export interface BreakingChange {
  /** Stable, machine-readable: `drop-column`, `operation-removed`, … */
  kind: string;
  /** Where in the changed document it happens: `statement 2 (line 5)`, `GET /orders/{id}`, … */
  location: string;
  message: string;
}
