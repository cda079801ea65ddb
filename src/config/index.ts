export * from './settings.js';
export * from './data-dir.js';
export * from './package-root.js';
export * from './event-settings.js';
export * from './secrets.js';
export * from './content-security-policy.js';
export * from './renderer-build.js';
