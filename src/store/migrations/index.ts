import type { Migration } from '../migrate.js';
import { migration0001Initial } from './0001-initial.js';

export const MIGRATIONS: readonly Migration[] = [migration0001Initial];
