// Which build of the app a scenario ran. The working tree is shared: another engineer's
// `npm run build` between two scenarios means they measured different code, and a report
// has to say so.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface AppBuild {
  commit: string | null;
  /** `git status --porcelain` lines for the app's sources (src/, workers/). */
  uncommitted: string[];
  /** Digest of dist/ file names and contents: equal digests ran the same code. */
  distDigest: string | null;
  distBuiltAt: string | null;
}

function git(repoRoot: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null; // not a git checkout, or git missing
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export function describeAppBuild(repoRoot: string): AppBuild {
  const dist = join(repoRoot, 'dist');
  let distDigest: string | null = null;
  let newest = 0;
  try {
    const hash = createHash('sha256');
    for (const file of listFiles(dist).sort()) {
      newest = Math.max(newest, statSync(file).mtimeMs);
      hash.update(`${relative(dist, file)}\0`).update(readFileSync(file));
    }
    distDigest = hash.digest('hex').slice(0, 12);
  } catch {
    // no dist/: the app cannot start either, and the scenario reports that
  }
  const status = git(repoRoot, ['status', '--porcelain', '--', 'src', 'workers']);
  return {
    commit: git(repoRoot, ['rev-parse', '--short=12', 'HEAD']),
    uncommitted: status ? status.split('\n').filter(Boolean) : [],
    distDigest,
    distBuiltAt: newest > 0 ? new Date(newest).toISOString() : null,
  };
}
