/** One problem in a request or a definition, at a JSON path such as `stages.1.sla.warnAfter`. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export function pathOf(segments: ReadonlyArray<PropertyKey>): string {
  return segments.map(String).join('.');
}
