import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'infra/kafka/lib/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The domain is pure: no framework, database, broker or validation library may leak in.
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['libs/domain/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['@nestjs/*', 'typeorm', 'kafkajs', '@eventstore/*', 'class-validator', 'class-transformer', 'pg', '@electric-sql/*', '@ledger/*'],
      }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'time comes in on the command (now)' }],
    },
  },
);
