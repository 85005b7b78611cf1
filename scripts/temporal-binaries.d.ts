export declare class TemporalBinaryError extends Error {}
export interface LocateOptions {
  install?: boolean;
  log?: (line: string) => void;
}
/** The Temporal CLI: TEMPORAL_CLI_PATH, `temporal` on PATH, or the project's pinned venv copy. */
export declare function cliPath(options?: LocateOptions): string;
/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH or the project's pinned venv copy. */
export declare function testServerPath(options?: LocateOptions): string;
