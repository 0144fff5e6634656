// A small SVG bar chart (no chart library): one bar per value, an optional highlighted bar, a y axis
// with its maximum, sparse x labels, and a tooltip per bar. Clicking a bar selects it when the caller
// allows (the timeline stays the keyboard way to move between steps).

interface Props {
  title: string; // accessible name of the chart
  values: number[];
  xLabels?: string[]; // one per bar; shown sparsely
  selected?: number | null; // index of the highlighted bar
  onSelect?: (index: number) => void;
  yMax?: number; // default: the largest value
  unit?: string; // shown with the y maximum
  format?: (v: number) => string;
  tooltip?: (index: number, value: number) => string;
  xTitle?: string;
  width?: number; // of the drawing, in CSS pixels at its natural size (it scales to its box)
  height?: number;
  emptyText?: string;
}

const PAD = { left: 44, right: 8, top: 10, bottom: 30 };

export function BarChart({
  title,
  values,
  xLabels,
  selected = null,
  onSelect,
  yMax,
  unit = '',
  format = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)),
  tooltip,
  xTitle,
  width = 720,
  height = 140,
  emptyText = 'No data yet.',
}: Props) {
  const W = width;
  const H = height;
  const top = Math.max(yMax ?? 0, ...values.map((v) => (Number.isFinite(v) ? v : 0)), 1e-9);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = values.length;
  const slot = n > 0 ? plotW / n : plotW;
  const barW = Math.max(1, Math.min(slot * 0.8, 40));
  const every = Math.max(1, Math.ceil(n / Math.max(4, Math.floor(W / 48))));
  const y = (v: number) => PAD.top + plotH - (plotH * Math.max(0, v)) / top;

  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {n === 0 ? (
        <p className="note chart-empty">{emptyText}</p>
      ) : (
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={title}
          className="chart-svg"
          preserveAspectRatio="xMidYMid meet"
        >
          <line className="chart-axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} />
          <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} />
          <line
            className="chart-grid"
            x1={PAD.left}
            x2={W - PAD.right}
            y1={PAD.top + plotH / 2}
            y2={PAD.top + plotH / 2}
          />
          <text className="chart-tick" x={PAD.left - 6} y={PAD.top + 4} textAnchor="end">
            {format(top)}
          </text>
          <text className="chart-tick" x={PAD.left - 6} y={PAD.top + plotH / 2 + 4} textAnchor="end">
            {format(top / 2)}
          </text>
          <text className="chart-tick" x={PAD.left - 6} y={PAD.top + plotH + 4} textAnchor="end">
            0
          </text>
          {unit && (
            <text className="chart-tick chart-unit" x={PAD.left + 4} y={PAD.top + 4}>
              {unit}
            </text>
          )}
          {values.map((v, i) => {
            const x = PAD.left + i * slot + (slot - barW) / 2;
            const yy = y(Number.isFinite(v) ? v : 0);
            const label = tooltip ? tooltip(i, v) : `${xLabels?.[i] ?? i + 1}: ${format(v)}${unit ? ` ${unit}` : ''}`;
            return (
              <g
                key={i}
                className={`chart-bar${i === selected ? ' is-selected' : ''}${onSelect ? ' is-clickable' : ''}`}
                onClick={onSelect ? () => onSelect(i) : undefined}
              >
                {/* A full-height hit area, so thin bars are easy to point at. */}
                <rect className="chart-hit" x={PAD.left + i * slot} y={PAD.top} width={slot} height={plotH} />
                <rect x={x} y={yy} width={barW} height={Math.max(0, PAD.top + plotH - yy)} rx={Math.min(2, barW / 3)} />
                <title>{label}</title>
              </g>
            );
          })}
          {values.map((_, i) =>
            i % every === 0 || (i === n - 1 && (n - 1) % every > every / 2) ? (
              <text
                key={i}
                className="chart-tick"
                x={PAD.left + (i + 0.5) * slot}
                y={H - PAD.bottom + 14}
                textAnchor="middle"
              >
                {xLabels?.[i] ?? i + 1}
              </text>
            ) : null,
          )}
          {xTitle && (
            <text className="chart-tick chart-xtitle" x={W - PAD.right} y={H - 2} textAnchor="end">
              {xTitle}
            </text>
          )}
        </svg>
      )}
    </figure>
  );
}
