// One config for unit (*.spec.ts), service (*.int-spec.ts) and cross-app (*.e2e-spec.ts) suites.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
}];
const aliases = {};
for (const lib of ['domain', 'event-store', 'payments', 'config', 'read-models', 'messaging', 'testing', 'identity', 'observability']) {
  aliases[`^@ledger/${lib}$`] = `<rootDir>/libs/${lib}/src`;
}
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: aliases,
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.js',
};
