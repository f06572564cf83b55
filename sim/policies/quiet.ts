/**
 * The simulator invokes the real handlers thousands of times: keep Powertools' logs, EMF metrics and
 * traces off the terminal unless the user asked for them. Imported before any handler module.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.POWERTOOLS_SERVICE_NAME ??= 'autoscaler';

export {};
