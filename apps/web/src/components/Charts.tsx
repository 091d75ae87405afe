import { formatValue } from '../views/chart-rows';

/** A horizontal bar chart in SVG: one labelled bar per row, its value written beside it (not colour alone). */
export function BarChart({
  title,
  rows,
  unit,
  testId,
}: {
  title: string;
  rows: readonly { label: string; value: number }[];
  unit: string;
  testId?: string;
}) {
  const most = Math.max(...rows.map((row) => row.value), 1e-9);
  const height = rows.length * 26 + 10;
  return (
    <figure data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg width={560} height={height} role="img" aria-label={title}>
        {rows.map((row, index) => (
          <g key={row.label} transform={`translate(0, ${index * 26 + 4})`}>
            <text x={0} y={15} fontSize={12}>
              {row.label}
            </text>
            <rect x={220} y={3} height={16} width={Math.max(1, (row.value / most) * 220)} fill="#2f6f9f" />
            <text x={448} y={15} fontSize={12} data-value={row.value}>
              {formatValue(row.value, unit)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
