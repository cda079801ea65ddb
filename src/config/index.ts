export * from './settings.js';
export * from './data-dir.js';
