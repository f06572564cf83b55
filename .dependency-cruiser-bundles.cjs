/**
 * What a function bundle loads, checked by `npm run lint`: the import graph as esbuild sees it (type-only
 * imports erased, hence `tsPreCompilationDeps: false`, which the architecture's rules in
 * .dependency-cruiser.cjs keep on to see every import).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'functions-never-load-zod',
      severity: 'error',
      comment:
        "The config is validated once, at synth; the functions read it as typed JSON and check events with valibot (lambdas/shared/validate.ts). Nothing a function's entry point loads may reach zod, whose schemas would add some 450 KB to every bundle: import a kind's types from lambdas/shared/kinds/schemas with `import type`, its behaviour from lambdas/shared/kinds (an override's field rules: `overridable.rules`), ConfigError from lambdas/shared/config/error.",
      from: { path: '^lambdas/(scalers/[^/]+|runbooks|publisher|api|recommender)/handler\\.ts$' },
      to: { path: '(^|/)node_modules/(zod|@aws-lambda-powertools/parser)/', reachable: true },
    },
    {
      name: 'functions-without-idempotency-records-never-load-it',
      severity: 'error',
      comment:
        "Powertools' idempotency is a module of its own in the deployment's layer (lib/shared/powertools-layer.ts), which a function reads and compiles at cold start only if its bundle imports it: the functions that keep no idempotency records build their entry with lambdas/shared/entry.ts, never lambdas/shared/handler.ts or lambdas/shared/idempotency.ts.",
      from: { path: '^lambdas/(scalers/cdn|runbooks|publisher|api)/handler\\.ts$' },
      to: { path: '((^|/)node_modules/@aws-lambda-powertools/idempotency/|^lambdas/shared/(handler|idempotency)\\.ts$)', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
