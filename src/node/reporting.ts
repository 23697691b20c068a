/** How long work on Node (building the index, pushing vectors) reports: log lines and progress of type P. */
export interface Reporting<P> {
  log?: (line: string) => void;
  onProgress?: (p: P) => void;
}
