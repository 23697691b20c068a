/** Resolved by scripts/build-worker.ts: the corpus bundle, the browser bundles and the version. */
declare module 'yiju:worker-payload' {
  const payload: import('./runtime.js').WorkerPayload;
  export default payload;
}
