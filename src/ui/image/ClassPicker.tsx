// The class picker: a filter box over a select of the generator's class names (a few hundred emoji
// subcategories would be a long list to scroll). The chosen class stays listed whatever the filter.

import { useId, useState } from 'react';
import { classMatches } from './grid.ts';

interface Props {
  classes: string[]; // empty while the generator loads
  value: string;
  onChange(className: string): void;
  error?: string;
  disabled?: boolean;
}

export function ClassPicker({ classes, value, onChange, error, disabled }: Props) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const matched = classes.filter((c) => classMatches(c, filter));
  const shown = classes.filter((c) => c === value || classMatches(c, filter));
  const describedBy = error ? `${id}-error` : `${id}-hint`;
  return (
    <div className={`setting class-picker${error ? ' has-error' : ''}`}>
      <label htmlFor={`${id}-select`}>Class</label>
      <input
        type="search"
        className="class-filter"
        aria-label="Filter classes"
        placeholder={classes.length > 0 ? `Filter ${classes.length} classes…` : 'Loading classes…'}
        value={filter}
        disabled={disabled || classes.length === 0}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => {
          const f = e.target.value;
          setFilter(f);
          // Typing narrows the list; a single match is the obvious choice.
          const only = classes.filter((c) => classMatches(c, f));
          if (only.length === 1 && only[0] !== value) onChange(only[0]);
        }}
      />
      <select
        id={`${id}-select`}
        value={classes.includes(value) ? value : ''}
        disabled={disabled || classes.length === 0}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      >
        {classes.length === 0 && <option value="">—</option>}
        {shown.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {error ? (
        <span id={`${id}-error`} className="setting-error" role="alert">
          {error}
        </span>
      ) : (
        <span id={`${id}-hint`} className="setting-hint">
          {filter && matched.length === 0
            ? `no class matches “${filter}”`
            : filter
              ? `${matched.length} of ${classes.length} classes match`
              : 'the emoji subcategory to draw'}
        </span>
      )}
    </div>
  );
}
