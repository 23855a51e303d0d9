// Lint config: typescript-eslint's recommended rules everywhere, and its type-aware rules over every .ts file
// (the program of tsconfig.json, the one `npm run typecheck` checks).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'grafana/dashboards/**',
      'src/web/vendor/**',
      '.tmp/**',
      'test-artifacts/**',
      'data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // TypeScript already reports undefined names, with the right lib and types.
      'no-undef': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['test/**/*.ts', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // vitest types its asymmetric matchers (expect.stringMatching, expect.any, expect.objectContaining) as
      // `any`, so every expected object that holds one would be reported; tsc's strict mode still checks tests.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
