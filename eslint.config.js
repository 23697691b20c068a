// ESLint flat config: @eslint/js recommended + typescript-eslint recommended (not the type-checked
// variants, to stay fast). Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.yiju/', '.wrangler/', 'bench/results/', 'corpus/', 'docs/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A leading underscore marks a deliberately unused name (e.g. `{ files: _files, ...rest }` to omit a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // The code deliberately matches C0 control characters (request validation, fuzzing).
      'no-control-regex': 'off',
      // Flags deliberate dead stores: `x = undefined` to free memory in benchmarks, defensive initial values.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['src/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests declare browser globals for page.evaluate() loosely as `any` (no DOM lib in the Node tsconfig); scripts cast CLI input.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
