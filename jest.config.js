// One Jest run, four projects: unit tests live beside the code; integration tests start a real network.
/** @type {import('jest').Config} */
const tsJest = (tsconfig) => ({
  // 151002: ts-jest's note about Node16 module kind; type checking is `npm run typecheck`'s job.
  '^.+\\.ts$': ['ts-jest', { tsconfig, diagnostics: { ignoreCodes: [151002] } }],
});

/**
 * @hyperledger/fabric-gateway 1.12 depends on @noble/curves 2, which ships ES modules only; Jest 29
 * runs CommonJS, so those files are transpiled too (every other node_modules file is left alone).
 */
const esmDependencies = {
  transformIgnorePatterns: ['/node_modules/(?!@noble/)'],
  noble: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true }],
};
const withEsmDependencies = (transform) => ({
  ...transform,
  '^.+/node_modules/@noble/.+\\.js$': esmDependencies.noble,
});

module.exports = {
  projects: [
    {
      displayName: 'contract',
      rootDir: 'contract',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
    },
    {
      displayName: 'chaincode',
      rootDir: 'chaincode',
      setupFiles: ['<rootDir>/src/testing/quiet-contract-logs.ts', '<rootDir>/src/testing/auditor-orgs-env.ts'],
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
    },
    {
      displayName: 'network',
      rootDir: 'network',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: withEsmDependencies(tsJest('<rootDir>/tsconfig.json')),
      transformIgnorePatterns: esmDependencies.transformIgnorePatterns,
      testEnvironment: 'node',
    },
    {
      displayName: 'application',
      rootDir: 'application',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.postgres\\.test\\.ts$'],
      transform: withEsmDependencies(tsJest('<rootDir>/tsconfig.json')),
      transformIgnorePatterns: esmDependencies.transformIgnorePatterns,
      testEnvironment: 'node',
    },
    {
      // The application's tests that need a PostgreSQL server: global setup starts one (the
      // network tool's PostgreSQL code, in a temporary directory) and teardown stops it.
      displayName: 'application-postgres',
      rootDir: 'application',
      testMatch: ['<rootDir>/src/**/*.postgres.test.ts'],
      transform: withEsmDependencies(tsJest('<rootDir>/tsconfig.json')),
      transformIgnorePatterns: esmDependencies.transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/../test/support/postgres-global-setup.ts',
      globalTeardown: '<rootDir>/../test/support/postgres-global-teardown.ts',
    },
    {
      displayName: 'integration',
      rootDir: 'test',
      testMatch: ['<rootDir>/integration/**/*.test.ts', '<rootDir>/adversarial/**/*.test.ts'],
      transform: withEsmDependencies(tsJest('<rootDir>/tsconfig.json')),
      transformIgnorePatterns: esmDependencies.transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/support/global-setup.ts',
      globalTeardown: '<rootDir>/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/support/timeouts.ts'],
    },
    {
      // Kills and restarts nodes and apps under a write load: a network of its own (own directory
      // and ports, test/faults/support/faults-network.ts), never the integration suite's.
      displayName: 'faults',
      rootDir: 'test',
      testMatch: ['<rootDir>/faults/**/*.test.ts'],
      transform: withEsmDependencies(tsJest('<rootDir>/tsconfig.json')),
      transformIgnorePatterns: esmDependencies.transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/faults/support/global-setup.ts',
      globalTeardown: '<rootDir>/faults/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/support/timeouts.ts'],
    },
  ],
};
