/**
 * The architecture's import rules (ARCHITECTURE.md, "Layers"), checked by `npm run lint`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No two modules import each other, directly or through others: a cycle hides which layer a module belongs to.',
      from: { path: '^(lambdas|lib|sim|cli|bin)/' },
      to: { circular: true },
    },
    {
      name: 'lib-uses-lambdas-shared-only',
      severity: 'error',
      comment:
        "The infrastructure shares with the functions only what lambdas/shared declares (the config, the kinds, names); a handler's internals are not its to import.",
      from: { path: '^lib/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/shared/' },
    },
    {
      name: 'lambdas-stay-runtime',
      severity: 'error',
      comment: 'Function bundles never pull in the CDK, cdk-nag, the CLI, the simulator or the tests.',
      from: { path: '^lambdas/', pathNot: '^lambdas/recommender/' },
      to: { path: ['^(lib|sim|cli|test|bin)/', '(^|/)node_modules/(aws-cdk-lib|cdk-nag)/'] },
    },
    {
      name: 'only-the-recommender-replays',
      severity: 'error',
      comment:
        "The daily recommender's product is a replay through the simulator (sim/recommend.ts), so it alone may import sim/; never the CDK, cdk-nag, the CLI or the tests.",
      from: { path: '^lambdas/recommender/' },
      to: { path: ['^(lib|cli|test|bin)/', '(^|/)node_modules/(aws-cdk-lib|cdk-nag)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
