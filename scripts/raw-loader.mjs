// Node ESM hook: `import text from './file.wgsl?raw'` yields the file's text, as Vite does in the
// browser build. Lets the CLI and the benchmarks load the same kernel modules as the app.
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
