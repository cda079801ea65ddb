// The kiosk's API client: a 401 means this screen was unpaired, so it goes back to pairing.
import { createApiClient } from '../shared/api.js';
import { useKiosk } from './store.js';

export const kioskApi = createApiClient({ onUnauthorized: () => useKiosk.getState().unpaired() });
