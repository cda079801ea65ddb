// One page for every surface: the path picks the console, the kiosk or an attendee gallery.
// Each surface is its own chunk, so a kiosk tablet never downloads the console.
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { routeFor } from './shared/route.js';
import { LoadingState } from './shared/StateViews.js';
import './shared/base.css';

const ConsoleApp = lazy(() => import('./operator/ConsoleApp.js'));
const KioskApp = lazy(() => import('./kiosk/KioskApp.js'));
const GalleryApp = lazy(() => import('./gallery/GalleryApp.js'));

function NotFoundPage() {
  return (
    <main className="sf-not-found">
      <h1>Page not found</h1>
      <p>
        This address is not part of Shutterfind. The operator console is at <a href="/console">/console</a>.
      </p>
    </main>
  );
}

function App() {
  const route = routeFor(window.location.pathname);
  switch (route.surface) {
    case 'console':
      return <ConsoleApp />;
    case 'kiosk':
      return <KioskApp />;
    case 'gallery':
      return <GalleryApp token={route.token} />;
    case 'redirect':
      window.location.replace(route.to + window.location.search);
      return null;
    case 'not-found':
      return <NotFoundPage />;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <Suspense fallback={<LoadingState />}>
      <App />
    </Suspense>
  </StrictMode>,
);
