/** Resolved by npm run build:worker (src/node/workerBuild.ts): the corpus bundle, the browser bundles and the version. */
declare module 'yiju:worker-payload' {
  const payload: import('./runtime.js').WorkerPayload;
  export default payload;
}
