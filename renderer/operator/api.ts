// The console's API client: any 401 sends the console back to its login screen.
import { createApiClient } from '../shared/api.js';
import { useConsole } from './store.js';

export const operatorApi = createApiClient({ onUnauthorized: () => useConsole.getState().signedOut() });
