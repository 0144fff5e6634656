// The layer boundaries are enforced by lint: these cases prove the rule bites (and does not
// over-reach), so a refactor of eslint.config.js cannot silently drop it.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  it('rejects an import from src/ui into src/gpu', async () => {
    const msgs = await lint('src/gpu/bad.ts', "import { App } from '../ui/App.tsx';\nexport const x = App;\n");
    expect(msgs.join('\n')).toMatch(/src\/gpu must not import from src\/ui/);
  });

  it('rejects the UI reaching the engine implementation, and allows its types', async () => {
    const bad = await lint(
      'src/ui/bad.tsx',
      "import { LocalEngine } from '../engine/engine.ts';\nexport const x = LocalEngine;\n",
    );
    expect(bad.length).toBe(1);
    const ok = await lint(
      'src/ui/ok.tsx',
      "import type { EngineApi } from '../engine/api.ts';\nexport type X = EngineApi;\n",
    );
    expect(ok).toEqual([]);
  });

  it('rejects formats importing the GPU layer, allows kernels importing gpu', async () => {
    expect(
      (await lint('src/formats/bad.ts', "import { Gpu } from '../gpu/gpu.ts';\nexport type X = Gpu;\n")).length,
    ).toBe(1);
    expect(
      await lint('src/kernels/ok.ts', "import type { Gpu } from '../gpu/gpu.ts';\nexport type X = Gpu;\n"),
    ).toEqual([]);
  });
});
