// MaskGIT's attention settings in the Images form: dense (as trained), block top-K or LLSA over the
// grid positions (pooled in Morton order, so a block of 4, 16 … positions is a square patch), the
// block size, top-K blocks and levels they read, and the token-merge ratio (tomesd, dense only).

import { useId } from 'react';
import type { AttentionKind } from '../../engine/api.ts';
import type { ImageForm, ImageFormErrors } from '../../store/index.ts';
import { IMAGE_ATTENTION_FIELDS } from '../../store/image.ts';
import { SettingField } from '../SettingField.tsx';

const ATTENTIONS: Array<{ id: AttentionKind; label: string }> = [
  { id: 'dense', label: 'dense (as trained)' },
  { id: 'block-topk', label: 'block top-K' },
  { id: 'llsa', label: 'LLSA' },
];

type AttentionKey = 'blockSize' | 'topKBlocks' | 'levels' | 'mergeRatio';

const INPUTS: Array<{ key: AttentionKey; label: string; hint: string; numeric?: boolean }> = [
  { key: 'blockSize', label: 'Block size', hint: 'positions per block (16 = 4×4)', numeric: true },
  { key: 'topKBlocks', label: 'Top-K blocks', hint: 'key blocks kept per query block', numeric: true },
  { key: 'levels', label: 'Levels', hint: 'LLSA: pooled levels', numeric: true },
  { key: 'mergeRatio', label: 'Merge ratio', hint: 'tokens merged per 2×2 cell, 0 = off (≤ 0.75)' },
];

interface Props {
  form: ImageForm;
  errors: ImageFormErrors; // of the MaskGIT run's settings
  positions: number; // grid positions MaskGIT attends over
  disabled: boolean;
  note: string | null; // e.g. which panel they apply to in the side-by-side mode
  onChange(patch: Partial<ImageForm>): void;
}

export function AttentionFields({ form, errors, positions, disabled, note, onChange }: Props) {
  const id = useId();
  const uses = new Set<keyof ImageForm>([...IMAGE_ATTENTION_FIELDS[form.attention], 'mergeRatio']);
  return (
    <div className="image-attention" role="group" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="image-attention-title">
        MaskGIT attention <span className="note">applied without retraining{note ? ` · ${note}` : ''}</span>
      </p>
      <div className="settings-grid image-attention-grid">
        <div className="setting">
          <label htmlFor={`${id}-kind`}>Attention</label>
          <select
            id={`${id}-kind`}
            value={form.attention}
            disabled={disabled}
            onChange={(e) => onChange({ attention: e.target.value as AttentionKind })}
          >
            {ATTENTIONS.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
          <span className="setting-hint">over the {positions} grid positions</span>
        </div>
        {INPUTS.map((f) => {
          const used = uses.has(f.key);
          return (
            <SettingField
              key={f.key}
              label={f.label}
              hint={used ? f.hint : `not used by ${form.attention} attention`}
              value={form[f.key]}
              inputMode={f.numeric ? 'numeric' : 'decimal'}
              disabled={disabled || !used}
              error={used ? errors[f.key] : undefined}
              onChange={(v) => onChange({ [f.key]: v })}
            />
          );
        })}
      </div>
    </div>
  );
}
