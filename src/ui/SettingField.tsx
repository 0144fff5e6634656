// A labelled settings input with its validation message. Inputs are text (not type=number), so what
// was typed stays visible next to the message that explains what is wrong with it.

import { useId } from 'react';

interface Props {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string;
  hint?: string;
  disabled?: boolean;
  inputMode?: 'numeric' | 'decimal';
  name?: string;
}

export function SettingField({ label, value, onChange, error, hint, disabled, inputMode = 'decimal', name }: Props) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div className={`setting${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="text"
        inputMode={inputMode}
        autoComplete="off"
        spellCheck={false}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && !error && (
        <span id={`${id}-hint`} className="setting-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="setting-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
