// The operator console (/console): login gate, sidebar and the section the operator is on.
import { useEffect, type ReactNode } from 'react';
import { LoadingState } from '../shared/StateViews.js';
import { LoginScreen } from './LoginScreen.js';
import { checkSession, startSession, useLiveStream } from './session.js';
import { sectionFromHash, SECTIONS, type SectionId } from './sections.js';
import { Sidebar } from './Sidebar.js';
import { useConsole } from './store.js';
import { Toasts } from './Toasts.js';
import { LiveSection } from './sections/LiveSection.js';
import { ErrorsSection } from './sections/ErrorsSection.js';
import { SourcesSection } from './sections/SourcesSection.js';
import { PeopleSection } from './sections/PeopleSection.js';
import { SearchSection } from './sections/SearchSection.js';
import { KiosksSection } from './sections/KiosksSection.js';
import { DeliveriesSection } from './sections/DeliveriesSection.js';
import { SettingsSection } from './sections/SettingsSection.js';
import { ExportSection } from './sections/ExportSection.js';
import { SyncSection } from './sections/SyncSection.js';
import './console.css';

const SECTION_VIEWS: Record<SectionId, () => ReactNode> = {
  live: () => <LiveSection />,
  errors: () => <ErrorsSection />,
  sources: () => <SourcesSection />,
  people: () => <PeopleSection />,
  search: () => <SearchSection />,
  kiosks: () => <KiosksSection />,
  deliveries: () => <DeliveriesSection />,
  export: () => <ExportSection />,
  sync: () => <SyncSection />,
  settings: () => <SettingsSection />,
};

function Unreachable() {
  return (
    <main className="c-login" data-testid="unreachable-screen">
      <div className="c-login__card">
        <h1>Shutterfind is not answering</h1>
        <p className="c-muted">
          The console could not reach the engine at {window.location.host}. Check that <code>shutterfind serve</code> is still running on
          this laptop.
        </p>
        <button type="button" className="c-button c-button--primary c-button--block" onClick={() => void checkSession()}>
          Try again
        </button>
      </div>
    </main>
  );
}

export default function ConsoleApp() {
  const auth = useConsole((s) => s.auth);
  const section = useConsole((s) => s.section);
  const showSection = useConsole((s) => s.showSection);

  useEffect(() => {
    document.body.className = 'c-body';
    document.title = 'Shutterfind console';
    void startSession();
    const onHash = () => showSection(sectionFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [showSection]);

  useLiveStream(auth === 'signed-in');

  if (auth === 'checking') return <LoadingState label="Opening the console…" />;
  if (auth === 'signed-out') return <LoginScreen />;
  if (auth === 'unreachable') return <Unreachable />;

  const title = SECTIONS.find((s) => s.id === section)?.label ?? '';
  return (
    <div className="c-shell">
      <Sidebar />
      <main className="c-main" data-testid={`section-${section}`} aria-label={title}>
        {SECTION_VIEWS[section]()}
      </main>
      <Toasts />
    </div>
  );
}
