// The ingest benchmark's verdicts against the targets, and the table it prints.
import type { AppBuild } from './ingest-app-build.js';
import {
  QUIET_THRESHOLD_CORES,
  TARGETS,
  type AppScenarioResult,
  type DecodeBaselineResult,
  type MachineInfo,
  type PhotoSet,
} from './ingest-results.js';
import { fmt, fmtDist, formatTable } from './ingest-stats.js';

export interface TargetCheck {
  target: string;
  scenario: string;
  measured: number | null;
  unit: string;
  /** null: not measured (scenario skipped or incomplete). */
  met: boolean | null;
  /** False when the scenario ran with other parameters than the target names (e.g. a smaller burst). */
  atTargetParameters: boolean;
  note: string | null;
}

export function checkTargets(results: Partial<Record<string, AppScenarioResult>>): TargetCheck[] {
  const judge = (
    r: AppScenarioResult | undefined,
    measured: number | null,
    passes: (v: number) => boolean,
  ): { met: boolean | null; note: string | null } => {
    if (!r) return { met: null, note: 'scenario not run' };
    if (r.outcome !== 'complete') return { met: null, note: `scenario did not complete (${r.outcome})` };
    if (measured === null) return { met: null, note: 'no figure measured' };
    const others = r.machineLoad.otherCoresDuring;
    const shared = others !== null && others >= QUIET_THRESHOLD_CORES ? `other processes used ${others.toFixed(2)} cores meanwhile` : null;
    return { met: passes(measured), note: shared };
  };
  const sustained = results.sustained;
  const latency = results.latency;
  const burst = results.burst;
  const p95 = latency?.latencyMs.placedToReady.p95 ?? null;
  const rss = burst?.memory.peakRssMbHwm ?? null;
  return [
    {
      target: `>= ${TARGETS.sustainedPhotosPerSecond} photos/s sustained`,
      scenario: 'sustained',
      measured: sustained?.photosPerSecond ?? null,
      unit: 'photos/s',
      ...judge(sustained, sustained?.photosPerSecond ?? null, (v) => v >= TARGETS.sustainedPhotosPerSecond),
      atTargetParameters: true,
    },
    {
      target: `p95 landed-to-ready < ${TARGETS.latencyP95Ms} ms at ${TARGETS.latencyRatePerSecond} photos/s`,
      scenario: 'latency',
      measured: p95,
      unit: 'ms',
      ...judge(latency, p95, (v) => v < TARGETS.latencyP95Ms),
      atTargetParameters: !latency || latency.parameters.ratePerSecond === TARGETS.latencyRatePerSecond,
    },
    {
      target: `peak RSS < ${TARGETS.burstPeakRssMb} MB for a ${TARGETS.burstCount}-photo burst`,
      scenario: 'burst',
      measured: rss,
      unit: 'MB',
      ...judge(burst, rss, (v) => v < TARGETS.burstPeakRssMb),
      atTargetParameters: !burst || burst.parameters.count === TARGETS.burstCount,
    },
  ];
}

export function renderReport(
  machine: MachineInfo,
  appBuild: AppBuild,
  appEnv: Record<string, string>,
  photos: PhotoSet,
  baseline: DecodeBaselineResult | null,
  apps: AppScenarioResult[],
  targets: TargetCheck[],
): string {
  const out: string[] = [];
  out.push(
    `Shutterfind ingest benchmark: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, Node ${machine.node}, ` +
      `sharp ${machine.sharp.sharp ?? '?'} / libvips ${machine.sharp.vips ?? '?'}`,
  );
  out.push(
    `App: commit ${appBuild.commit ?? '?'}${appBuild.uncommitted.length ? ` + ${appBuild.uncommitted.length} uncommitted change(s) in src/workers` : ''}, ` +
      `dist built ${appBuild.distBuiltAt ?? '?'}` +
      (Object.keys(appEnv).length
        ? `; app environment adds ${Object.entries(appEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''),
  );
  const rebuilt = apps.filter((a) => a.appBuild.distDigest !== appBuild.distDigest);
  if (rebuilt.length > 0) {
    out.push(
      `  Note: dist/ was rebuilt by someone else during the run; ${rebuilt.map((a) => `${a.name} ran commit ${a.appBuild.commit ?? '?'} (dist ${a.appBuild.distBuiltAt ?? '?'})`).join(', ')}`,
    );
  }
  out.push(
    `Photos: ${photos.count} camera-like bases, ${photos.width}x${photos.height}, ${fmt(photos.sizeMb.min, 1)}-${fmt(photos.sizeMb.max, 1)} MB ` +
      `(mean ${fmt(photos.sizeMb.mean, 1)} MB)${photos.generatedMs === null ? ', from cache' : `, generated in ${fmt(photos.generatedMs / 1000, 1)} s`}`,
  );
  out.push('');

  if (baseline) {
    out.push(`Decode baseline (in-process, ${baseline.lanes} lanes, sharp.concurrency(1), each base ${baseline.rounds}x)`);
    const rows = baseline.modes.map((m) => [
      m.label,
      fmt(m.photosPerSecond, 2),
      fmt(m.msPerPhotoPerLane, 0),
      String(m.decodes),
      fmt(m.otherCores, 2),
      m.discardedPhotosPerSecond.length ? `remeasured; discarded ${m.discardedPhotosPerSecond.join(', ')}/s` : '',
    ]);
    const sustained = apps.find((a) => a.name === 'sustained');
    if (sustained) {
      rows.push([
        'app pipeline (sustained scenario, for comparison)',
        fmt(sustained.photosPerSecond, 2),
        '-',
        String(sustained.counts.ready),
        fmt(sustained.machineLoad.otherCoresDuring, 2),
        '',
      ]);
    }
    out.push(
      formatTable(['mode', 'photos/s', 'ms/photo/lane', 'photos', 'other procs (cores)', 'note'], rows, [
        false,
        true,
        true,
        true,
        true,
        false,
      ]),
    );
    out.push('');
  }

  if (apps.length > 0) {
    out.push('App scenarios (shutterfind serve as a child process; latencies p50 / p95 / max in ms)');
    const rows = apps.map((a) => [
      a.name,
      a.parameters.ratePerSecond === null ? 'asap' : `${a.parameters.ratePerSecond}/s`,
      `${a.counts.ready}/${a.parameters.count}`,
      String(a.counts.failed),
      fmt(a.photosPerSecond, 2),
      fmt(a.photosPerSecondSteady, 2),
      fmtDist(a.latencyMs.placedToReady),
      fmtDist(a.latencyMs.landedToReady),
      `${fmt(a.memory.peakRssMbHwm)} / ${fmt(a.memory.peakRssMbSampled)}`,
      String(a.queue.maxDepth),
      fmt(a.cpu.appCoresBusy, 2),
      fmt(a.machineLoad.otherCoresDuring, 2),
      a.app.stop ? (a.app.stop.clean ? 'yes' : `no (${a.app.stop.code ?? a.app.stop.signal})`) : '-',
      a.outcome,
    ]);
    out.push(
      formatTable(
        [
          'scenario',
          'arrival',
          'ready',
          'failed',
          'photos/s',
          'steady/s',
          'placed->ready',
          'landed->ready',
          'RSS MB hwm/sampled',
          'max queue',
          'app cores',
          'other procs',
          'exit 0',
          'outcome',
        ],
        rows,
        [false, true, true, true, true, true, true, true, true, true, true, true, false, false],
      ),
    );
    out.push('');
    out.push('Where the time goes (p50 / p95 / max ms): placed->landed = watcher notice; landed->admitted = readiness + hash + insert;');
    out.push('admitted->ready = queue wait + worker + result write; worker stages from the app log (debug "photo ready" lines)');
    out.push(
      formatTable(
        [
          'scenario',
          'placed->landed',
          'landed->admitted',
          'admitted->ready',
          'worker read',
          'worker decode',
          'worker render',
          'worker total',
          'logged',
        ],
        apps.map((a) => [
          a.name,
          fmtDist(a.latencyMs.placedToLanded),
          fmtDist(a.latencyMs.landedToAdmitted),
          fmtDist(a.latencyMs.admittedToReady),
          fmtDist(a.workerTimings.readMs),
          fmtDist(a.workerTimings.decodeMs),
          fmtDist(a.workerTimings.renderMs),
          fmtDist(a.workerTimings.totalMs),
          String(a.workerTimings.logged),
        ]),
        [false, true, true, true, true, true, true, true, true],
      ),
    );
    out.push('');
    out.push('CPU seconds by thread during each scenario (app process), and the feed');
    for (const a of apps) {
      const threads = a.cpu.byThread
        .slice(0, 6)
        .map((t) => `${t.name}${t.threads > 1 ? ` x${t.threads}` : ''} ${fmt(t.cpuSeconds, 1)}`)
        .join(', ');
      const churn = `threads seen ${a.threads.seen}, at most ${a.threads.maxAlive} alive`;
      out.push(
        `  ${a.name}: app ${fmt(a.cpu.appCpuSeconds, 1)} s CPU over ${fmt((a.cpu.windowMs ?? 0) / 1000, 1)} s [${threads || '-'}]; ` +
          `${churn}; harness ${fmt(a.cpu.harnessCpuSeconds, 1)} s; feed ${fmt((a.feed.durationMs ?? 0) / 1000, 1)} s` +
          (a.feed.maxLateMs !== null ? `, arrivals late by at most ${fmt(a.feed.maxLateMs)} ms` : '') +
          `; max files landed but not yet recorded ${a.queue.maxNotYetRecorded}`,
      );
    }
    const problems = apps.filter(
      (a) =>
        a.outcome !== 'complete' ||
        a.photoErrors.length > 0 ||
        a.logProblems.warnings + a.logProblems.errors > 0 ||
        (a.app.stop && !a.app.stop.clean),
    );
    if (problems.length > 0) {
      out.push('');
      out.push('Problems seen');
      for (const a of problems) {
        if (a.outcomeDetail) out.push(`  ${a.name}: ${a.outcomeDetail}`);
        for (const e of a.photoErrors) out.push(`  ${a.name}: ${e.count} photo(s): ${e.error}`);
        for (const p of a.logProblems.top) out.push(`  ${a.name}: log ${p.level} x${p.count}: ${p.msg}`);
        const saidStopped = a.app.stderrTail.some((l) => l.includes('Stopped cleanly'));
        if (a.app.stop?.killed) {
          out.push(
            `  ${a.name}: app did not exit within ${a.app.stop.graceMs / 1000} s of SIGTERM and was killed` +
              (saidStopped ? ' (it had logged "Stopped cleanly": something still holds its event loop open)' : ''),
          );
        } else if (a.app.stop && !a.app.stop.clean) {
          out.push(`  ${a.name}: app exited with code ${a.app.stop.code}, signal ${a.app.stop.signal} after SIGTERM`);
        }
        if (a.app.stderrTail.length > 0 && (a.outcome !== 'complete' || (a.app.stop && !a.app.stop.clean && !saidStopped))) {
          out.push(`  ${a.name}: last app output:`);
          for (const l of a.app.stderrTail.slice(-15)) out.push(`    ${l}`);
        }
      }
    }
    out.push('');
  }

  out.push('Targets');
  out.push(
    formatTable(
      ['target', 'measured', 'met', 'note'],
      targets.map((t) => [
        t.target,
        t.measured === null ? '-' : `${fmt(t.measured, t.unit === 'photos/s' ? 2 : 0)} ${t.unit}`,
        t.met === null ? 'n/a' : t.met ? 'yes' : 'NO',
        [t.note, t.atTargetParameters ? null : 'run with other parameters than the target names'].filter(Boolean).join('; '),
      ]),
    ),
  );
  return out.join('\n');
}
