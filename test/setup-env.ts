// Quiet Powertools in tests: no log lines, no EMF blobs, no X-Ray segments. Metrics' own warnings
// ("No application metrics to publish...") go through the Logger (lambdas/shared/powertools.ts), so
// the SILENT level silences them too.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Autoscaler';

// Quiet CDK's asset staging in the tests that bundle: it writes "Bundling asset <path>..." straight to
// stderr for every asset it builds, whatever the outcome. Everything else written to stderr passes.
const BUNDLING_NOTICE = /^Bundling asset \S+\.\.\.\n$/;
const writeStderr = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === 'string' && BUNDLING_NOTICE.test(chunk) ? true : writeStderr(chunk, ...rest)) as typeof process.stderr.write;
