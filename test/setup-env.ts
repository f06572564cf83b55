// Quiet Powertools in tests: no log lines, no EMF blobs, no X-Ray segments. Metrics' own warnings
// ("No application metrics to publish...") go through the Logger (lambdas/shared/powertools.ts), so
// the SILENT level silences them too.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Autoscaler';
