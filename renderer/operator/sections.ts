// The console's sections, in sidebar order. The address's hash (#people) keeps the section on reload.
export const SECTIONS = [
  { id: 'live', label: 'Live' },
  { id: 'errors', label: 'Errors' },
  { id: 'sources', label: 'Sources' },
  { id: 'people', label: 'People' },
  { id: 'search', label: 'Search' },
  { id: 'kiosks', label: 'Kiosks' },
  { id: 'deliveries', label: 'Deliveries' },
  { id: 'export', label: 'Export' },
  { id: 'sync', label: 'Sync' },
  { id: 'settings', label: 'Settings' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#/, '');
  return SECTIONS.find((s) => s.id === id)?.id ?? 'live';
}
