// One Jest run, four projects: unit tests live beside the code; integration tests start a real network.
/** @type {import('jest').Config} */
const tsJest = (tsconfig) => ({
  // 151002: ts-jest's note about Node16 module kind; type checking is `npm run typecheck`'s job.
  '^.+\\.ts$': ['ts-jest', { tsconfig, diagnostics: { ignoreCodes: [151002] } }],
});

module.exports = {
  projects: [
    {
      displayName: 'chaincode',
      rootDir: 'chaincode',
      setupFiles: ['<rootDir>/src/testing/quiet-contract-logs.ts'],
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
    },
    {
      displayName: 'network',
      rootDir: 'network',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
    },
    {
      displayName: 'application',
      rootDir: 'application',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      rootDir: 'test',
      testMatch: ['<rootDir>/integration/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
      testEnvironment: 'node',
      globalSetup: '<rootDir>/support/global-setup.ts',
      globalTeardown: '<rootDir>/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/support/timeouts.ts'],
    },
  ],
};
