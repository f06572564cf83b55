/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
    // @middy/core 7 ships ES modules only; compile it to CommonJS for jest's module system.
    '^.+/node_modules/@middy/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: {
    '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js',
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // Each test file loads aws-cdk-lib, the AWS SDK and the simulator afresh in its own module registry, and
  // a worker's heap keeps growing from file to file (5 GB per worker half-way through the suite); the
  // garbage collector's time grows with it until it dominates. A worker past 1 GB after a file is
  // replaced by a fresh one: the whole suite ran in 304 s, where without it 92 of the 189 files had taken
  // 12 minutes, one run after the other on the same 2-core machine.
  workerIdleMemoryLimit: '1GB',
  // A worker ends with a heap of a gigabyte or two; on a busy machine its exit can take longer than
  // jest's default half second, and jest then force-exits it with a warning about leaks. No test leaves
  // a handle open (--detectOpenHandles finds none), so the worker is given time to exit on its own.
  workerGracefulExitTimeout: 10000,
};
