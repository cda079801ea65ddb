// Which screen the kiosk goes full-screen on: the operator's pick when that screen is still
// connected, else a screen that is not the laptop's own (the second monitor or tablet on HDMI),
// else the laptop's screen. A pure decision over what Electron's `screen` reports.

export interface DisplayFacts {
  id: number;
  /** Electron's `internal`: the laptop's built-in panel. */
  internal: boolean;
  label: string;
  bounds: { x: number; y: number; width: number; height: number };
}

export type KioskDisplayChoice =
  { display: DisplayFacts; why: 'operator-pick' | 'external' | 'primary' } | { display: null; why: 'no-display' };

export function chooseKioskDisplay(displays: readonly DisplayFacts[], primaryId: number, operatorPick?: number): KioskDisplayChoice {
  const picked = operatorPick === undefined ? undefined : displays.find((d) => d.id === operatorPick);
  if (picked) return { display: picked, why: 'operator-pick' };
  // The largest external screen: a venue's TV beats a small tablet mirror when both are plugged in.
  const external = displays
    .filter((d) => d.id !== primaryId && !d.internal)
    .sort((a, b) => b.bounds.width * b.bounds.height - a.bounds.width * a.bounds.height)[0];
  if (external) return { display: external, why: 'external' };
  const primary = displays.find((d) => d.id === primaryId) ?? displays[0];
  return primary ? { display: primary, why: 'primary' } : { display: null, why: 'no-display' };
}
