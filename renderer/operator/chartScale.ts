// Axis maths for the console's small SVG charts.

/** The smallest "nice" number (1, 2, 5 × 10^n) at or above `value`, so axis labels read cleanly. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

export interface PlotPoint {
  x: number;
  y: number;
}

/** An SVG path through the points, and the same closed down to the baseline for an area fill. */
export function linePaths(points: readonly PlotPoint[], baseline: number): { line: string; area: string } {
  if (points.length === 0) return { line: '', area: '' };
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return { line, area: `${line} L${last.x.toFixed(1)},${baseline} L${first.x.toFixed(1)},${baseline} Z` };
}
