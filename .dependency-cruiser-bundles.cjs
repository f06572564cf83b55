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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
