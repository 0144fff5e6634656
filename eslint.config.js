// Lint: typescript-eslint's recommended rules, React hooks rules, and the layer boundaries of
// ../shared/design.md — each folder of src/ may import only from the layers it is allowed to know.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Layers a folder must not import from (matched on the import path). `engine/api.ts` holds only
// types, so the store and the UI may import it; nothing else of the engine crosses the worker.
const FORBIDDEN = {
  shared: ['gpu', 'kernels', 'formats', 'models', 'samplers', 'engine', 'worker', 'store', 'ui', 'cli'],
  gpu: ['kernels', 'formats', 'models', 'samplers', 'engine', 'worker', 'store', 'ui', 'cli'],
  kernels: ['formats', 'models', 'samplers', 'engine', 'worker', 'store', 'ui', 'cli'],
  formats: ['gpu', 'kernels', 'models', 'samplers', 'engine', 'worker', 'store', 'ui', 'cli'],
  models: ['samplers', 'engine', 'worker', 'store', 'ui', 'cli'],
  samplers: ['engine', 'worker', 'store', 'ui', 'cli'],
  engine: ['worker', 'store', 'ui', 'cli'],
  worker: ['store', 'ui', 'cli'],
  store: ['gpu', 'kernels', 'formats', 'models', 'samplers', 'engine!api', 'ui', 'cli'],
  ui: ['gpu', 'kernels', 'formats', 'models', 'samplers', 'engine!api', 'cli'],
  cli: ['worker', 'store', 'ui'],
};

function layerRule(layer) {
  const patterns = FORBIDDEN[layer].map((name) => {
    const [dir, except] = name.split('!');
    const tail = except ? `/(?!${except}\\.ts$)` : '/';
    return {
      regex: `(^|/)(src/)?${dir}${tail}`,
      message: `layer boundary: src/${layer} must not import from src/${dir}${except ? ` (only ${dir}/${except}.ts)` : ''} — see ../shared/design.md`,
    };
  });
  return {
    files: [`src/${layer}/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', 'public/**', 'e2e/artifacts/**', 'train/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    files: ['src/ui/**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  ...Object.keys(FORBIDDEN).map(layerRule),
);
