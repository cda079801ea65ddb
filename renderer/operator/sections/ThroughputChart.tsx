// Photos per second over the last minutes, with the queue depth beside it, from the overview events.
import { useEffect, useState } from 'react';
import { useElementWidth } from '../../shared/useElementWidth.js';
import { niceCeiling, linePaths } from '../chartScale.js';
import { THROUGHPUT_WINDOW_MS, type ThroughputPoint } from '../throughput.js';

const HEIGHT = 190;
const PAD = { left: 36, right: 40, top: 12, bottom: 24 };

export function ThroughputChart({ points }: { points: readonly ThroughputPoint[] }) {
  const [figure, WIDTH] = useElementWidth<HTMLElement>(640);
  // The x axis slides with the clock even between overview events.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const rateMax = niceCeiling(Math.max(1, ...points.map((p) => p.perSecond)));
  const queueMax = niceCeiling(Math.max(10, ...points.map((p) => p.queue)));
  const x = (at: number) => PAD.left + plotW * (1 - (now - at) / THROUGHPUT_WINDOW_MS);
  const rate = linePaths(
    points.map((p) => ({ x: x(p.at), y: PAD.top + plotH * (1 - p.perSecond / rateMax) })),
    PAD.top + plotH,
  );
  const queue = linePaths(
    points.map((p) => ({ x: x(p.at), y: PAD.top + plotH * (1 - p.queue / queueMax) })),
    PAD.top + plotH,
  );
  const gridValues = [0, 0.25, 0.5, 0.75, 1];
  const minutes = [5, 4, 3, 2, 1, 0];

  return (
    <figure className="c-chart" data-testid="throughput-chart" ref={figure}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label="Photos per second and queue depth over the last five minutes"
      >
        <defs>
          <linearGradient id="c-chart-fill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0" style={{ stopColor: 'var(--c-accent)', stopOpacity: 0.45 }} />
            <stop offset="1" style={{ stopColor: 'var(--c-accent)', stopOpacity: 0 }} />
          </linearGradient>
          <clipPath id="c-chart-clip">
            <rect x={PAD.left} y={0} width={plotW} height={HEIGHT} />
          </clipPath>
        </defs>
        {gridValues.map((f) => {
          const y = PAD.top + plotH * (1 - f);
          return (
            <g key={f}>
              <line className="c-chart__grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} />
              <text className="c-chart__label" x={PAD.left - 8} y={y + 4} textAnchor="end">
                {formatAxis(rateMax * f)}
              </text>
              <text className="c-chart__label c-chart__label--queue" x={WIDTH - PAD.right + 8} y={y + 4}>
                {formatAxis(queueMax * f)}
              </text>
            </g>
          );
        })}
        {minutes.map((m) => (
          <text key={m} className="c-chart__label" x={x(now - m * 60_000)} y={HEIGHT - 6} textAnchor="middle">
            {m === 0 ? 'now' : `−${m} min`}
          </text>
        ))}
        <g clipPath="url(#c-chart-clip)">
          <path d={rate.area} fill="url(#c-chart-fill)" />
          <path d={rate.line} className="c-chart__rate" />
          <path d={queue.line} className="c-chart__queue" />
        </g>
      </svg>
      <figcaption className="c-chart__legend">
        <span className="c-legend c-legend--rate">photos / s</span>
        <span className="c-legend c-legend--queue">queue depth</span>
        {points.length < 2 && <span className="c-muted">Collecting… the chart fills as photos are processed.</span>}
      </figcaption>
    </figure>
  );
}

function formatAxis(value: number): string {
  return String(Number(value.toFixed(2)));
}
