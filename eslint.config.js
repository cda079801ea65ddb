// Lint for Shutterfind: typescript-eslint's recommended rules, and the walls between folders held
// by a machine rather than by discipline (docs/engineering/architecture.md explains them):
//   - which folder of src/ may import which (WALLS below), and only through its index.ts;
//   - no import cycles;
//   - which folders may use the heavy or risky packages (PACKAGE_HOMES below).
// `npm test` runs it; every rule here is an error, not a warning.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Who may import whom, folder by folder (src/<folder>). A folder not listed for another is a wall.
 * The direction follows where code runs and what it knows: store and config know nothing of ours;
 * the ML code (vision) knows no queue; the worker side of a photo (photo) knows no database
 * connection; the use cases (people, bursts, search, kiosk, catalogue) know no HTTP; core wires
 * them; server and cli are adapters that reach the use cases only through core.
 */
export const WALLS = {
  api: [],
  config: [],
  store: [],
  'camera-files': ['config', 'store'],
  vision: ['config'],
  photo: ['camera-files', 'vision', 'config', 'store'],
  ingest: ['camera-files', 'store', 'config'],
  pipeline: ['photo', 'camera-files', 'store', 'config'],
  people: ['store', 'vision', 'config'],
  bursts: ['photo', 'store', 'config'],
  search: ['photo', 'people', 'vision', 'store', 'config'],
  catalogue: ['store', 'config'],
  kiosk: ['search', 'vision', 'store', 'config', 'api'],
  export: ['config'],
  // The laptop side of sync: the operation log, the batcher and the resumable uploader.
  sync: ['store', 'config', 'api', 'export'],
  core: [
    'api',
    'config',
    'store',
    'camera-files',
    'vision',
    'photo',
    'ingest',
    'pipeline',
    'people',
    'bursts',
    'search',
    'catalogue',
    'kiosk',
    'export',
    'sync',
  ],
  server: ['core', 'config', 'api', 'export'],
  cli: ['core', 'config', 'api', 'server', 'vision', 'cloud'],
  // The reference cloud endpoint: its own database (PostgreSQL) and blob store; shares only the protocol.
  cloud: ['api', 'config', 'export'],
  // The desktop shell: the engine's child process starts the engine and its server as `serve` does.
  main: ['core', 'config', 'api', 'server'],
};

/** Packages only one or two folders may use: the rest of the code reaches them through those folders. */
const PACKAGE_HOMES = [
  { packages: ['better-sqlite3', 'sqlite-vec'], homes: ['store'], why: 'all SQL lives in src/store' },
  { packages: ['fastify', '@fastify/*'], homes: ['server', 'cloud'], why: 'HTTP lives in src/server (and the cloud endpoint)' },
  { packages: ['chokidar'], homes: ['ingest'], why: 'watching folders is src/ingest’s job (and keeps chokidar out of workers)' },
  { packages: ['piscina'], homes: ['pipeline'], why: 'worker pools live in src/pipeline' },
  { packages: ['onnxruntime-node'], homes: ['vision'], why: 'the networks live in src/vision' },
  { packages: ['electron'], homes: ['main'], why: 'only the Electron main process (src/main) may load electron' },
  { packages: ['pg'], homes: ['cloud'], why: 'PostgreSQL is the cloud endpoint’s database' },
  { packages: ['@aws-sdk/*'], homes: ['cloud'], why: 'S3 blob storage belongs to the cloud endpoint' },
  { packages: ['nodemailer'], homes: ['cloud'], why: 'emails are sent by the cloud endpoint' },
  { packages: ['axios'], homes: ['sync'], why: 'the laptop talks to the cloud only through src/sync' },
  { packages: ['exiftool-vendored'], homes: ['export'], why: 'XMP is written by src/export (one ExifTool process per export)' },
];

const folders = Object.keys(WALLS);

/** import-x/no-restricted-paths zones: a wall for every pair not allowed, and index.ts as the only door of an allowed one. */
function wallZones() {
  const zones = [];
  for (const from of folders) {
    for (const to of folders) {
      if (from === to) continue;
      if (WALLS[from].includes(to)) {
        zones.push({
          target: `./src/${from}`,
          from: `./src/${to}`,
          except: ['./index.ts'],
          message: `Use src/${to} only through its index.ts.`,
        });
      } else {
        zones.push({
          target: `./src/${from}`,
          from: `./src/${to}`,
          message: `src/${from} may not import src/${to} (the walls are in eslint.config.js and docs/engineering/architecture.md).`,
        });
      }
    }
  }
  // Worker threads load only the worker side of a photo.
  for (const to of folders.filter((f) => f !== 'photo')) {
    zones.push({
      target: './workers',
      from: `./src/${to}`,
      message: 'A worker thread loads only src/photo (no database, no queue, no HTTP).',
    });
  }
  zones.push({ target: './workers', from: './src/photo', except: ['./index.ts'], message: 'Use src/photo only through its index.ts.' });
  return zones;
}

/** Adapters get the engine's use cases, never its repositories (those are for tests and benches). */
const ADAPTERS = ['server', 'cli'];

/** no-restricted-imports for one folder: the packages it is not home to (and, for adapters, the engine's insides). */
function packageRulesFor(folder) {
  const patterns = PACKAGE_HOMES.filter((p) => !p.homes.includes(folder)).map((p) => ({
    group: p.packages,
    message: `Not in src/${folder}: ${p.why}.`,
  }));
  if (ADAPTERS.includes(folder)) {
    patterns.push({
      group: ['**/core/index.js'],
      importNames: ['engineRepositories', 'engineFaceIndexes'],
      message: 'Adapters call the engine’s use cases (engine.people, engine.kiosk …), not its repositories.',
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test/bench/.cache/**',
      'test/e2e/screenshots/**',
      'coverage/**',
      '.cache/**',
      'renderer/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['tsconfig.json', 'renderer/tsconfig.json'], noWarnOnMultipleProjects: true }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: wallZones() }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A catch that drops an error must say why in a comment; an empty block with one is fine.
      'no-empty': ['error', { allowEmptyCatch: false }],
      // Control characters are matched on purpose: terminal escapes and file names are cleaned of them.
      'no-control-regex': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
  ...folders.map((folder) => ({ files: [`src/${folder}/**/*.ts`], rules: packageRulesFor(folder) })),
  { files: ['workers/**/*.ts'], rules: packageRulesFor('photo') },
  {
    // The renderer (browser) sees the server only through the API's types.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**'], message: 'The renderer imports only the API types (@api).' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    rules: {
      // Fixtures and tests build data with non-null assertions and loose helpers on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
