import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', '.run/**', '**/dist/**', 'demo-site/analytics.js', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Scripts and the tracker build print for humans; the browser tracker has no logger.
    files: ['bench/**', 'scripts/**', 'tracker/build.ts', 'dashboard/build.ts', 'grafana/build-dashboards.ts', 'test/chaos/**', 'db/migrate-cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
