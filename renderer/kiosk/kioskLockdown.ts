// A kiosk must not be navigated away from or zoomed by visitors: no context menu, no pinch or
// ctrl-zoom, no dragging images out, no text selection (the last is in kiosk.css).
export function lockDownKiosk(): () => void {
  const viewport = document.querySelector<HTMLMetaElement>('meta[name="viewport"]');
  const originalViewport = viewport?.content;
  if (viewport) viewport.content = 'width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no, viewport-fit=cover';

  const block = (e: Event) => e.preventDefault();
  const blockPinch = (e: TouchEvent) => {
    if (e.touches.length > 1) e.preventDefault();
  };
  const blockZoomKeys = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && ['+', '-', '=', '0'].includes(e.key)) e.preventDefault();
  };
  const blockCtrlWheel = (e: WheelEvent) => {
    if (e.ctrlKey) e.preventDefault();
  };
  const options = { passive: false } as const;
  document.addEventListener('contextmenu', block);
  document.addEventListener('dragstart', block);
  document.addEventListener('gesturestart', block, options); // Safari's pinch
  document.addEventListener('touchmove', blockPinch, options);
  document.addEventListener('keydown', blockZoomKeys);
  document.addEventListener('wheel', blockCtrlWheel, options);
  return () => {
    if (viewport && originalViewport !== undefined) viewport.content = originalViewport;
    document.removeEventListener('contextmenu', block);
    document.removeEventListener('dragstart', block);
    document.removeEventListener('gesturestart', block);
    document.removeEventListener('touchmove', blockPinch);
    document.removeEventListener('keydown', blockZoomKeys);
    document.removeEventListener('wheel', blockCtrlWheel);
  };
}
