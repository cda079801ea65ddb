// electron-builder.yml checked offline against electron-builder's own schema (a copy of
// app-builder-lib 26.18.1's scheme.json: test/fixtures/electron-builder/SOURCE.md says why).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('test/fixtures/electron-builder/scheme.json', root), 'utf8')) as object;
const config = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown> & {
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  mac: { hardenedRuntime: boolean; entitlements: string; extendInfo: Record<string, string> };
  linux: { target: string[] };
  win: { target: string[] };
  publish: { provider: string }[];
  extraMetadata: { main: string };
  electronFuses: Record<string, boolean>;
};
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('the installer configuration (electron-builder.yml)', () => {
  it('is valid for electron-builder 26', () => {
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check does catch a misspelt option', () => {
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
  });

  it('keeps the native modules and their libraries outside the asar archive', () => {
    for (const pkg of ['better-sqlite3', 'onnxruntime-node', 'sharp', '@img', 'sqlite-vec']) {
      expect(config.asarUnpack).toContain(`node_modules/${pkg}/**`);
    }
  });

  it('ships the face models beside the archive, where the app finds them from process.resourcesPath', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'models/face', to: 'models/face' }));
    const main = readFileSync(new URL('src/main/main.ts', root), 'utf8');
    expect(main).toContain("join(process.resourcesPath, 'models', 'face')");
  });

  it('starts at the built main process, which the build writes', () => {
    expect(config.extraMetadata.main).toBe('dist/src/main/main.js');
    const mainConfig = readFileSync(new URL('src/main/tsconfig.json', root), 'utf8');
    expect(mainConfig).toContain('"main.ts"');
  });

  it('asks for the camera on a Mac with the hardened runtime, and says why', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(readFileSync(new URL(config.mac.entitlements, root), 'utf8')).toContain('com.apple.security.device.camera');
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/selfie/);
  });

  it('builds NSIS for Windows and AppImage and deb for Linux, published to a generic update feed', () => {
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.publish[0]!.provider).toBe('generic');
  });

  it('locks the app down with fuses: no running as Node, app code only from the checked archive', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });
});
