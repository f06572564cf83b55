/**
 * The simulator invokes the real handlers thousands of times: keep Powertools' logs, EMF metrics and
 * traces off the terminal unless the user asked for them. Imported before any handler module.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.POWERTOOLS_SERVICE_NAME ??= 'autoscaler';
// Powertools' dev mode writes through the global console rather than a Console of its own, which Metrics
// builds anew for every single metric: thousands of times a simulated week. Only while nothing is printed.
// (Not under jest, whose workers share the environment with the tests that read Powertools' output.)
const underJest = process.env.JEST_WORKER_ID !== undefined;
if (!underJest && process.env.POWERTOOLS_LOG_LEVEL === 'SILENT' && process.env.POWERTOOLS_METRICS_DISABLED === 'true') process.env.POWERTOOLS_DEV ??= 'true';
// With tracing off, the X-Ray SDK need not follow every promise: in its automatic mode (the default) it
// installs an async hook (cls-hooked) on every promise, which cost the database simulation a sixth of its time.
if (!underJest && process.env.POWERTOOLS_TRACE_ENABLED === 'false') process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

export {};
