// The Shutterfind mark: an aperture, drawn inline so it needs no asset request.
export function BrandMark({ withName = true }: { withName?: boolean }) {
  return (
    <span className="c-brand">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <defs>
          <linearGradient id="sf-brand" x1="0" y1="0" x2="1" y2="1">
            <stop offset="0" stopColor="#8ea2ff" />
            <stop offset="1" stopColor="#4fd1c5" />
          </linearGradient>
        </defs>
        <circle cx="16" cy="16" r="14" fill="none" stroke="url(#sf-brand)" strokeWidth="3" />
        <path d="M16 6 L22 16 L16 26 L10 16 Z" fill="url(#sf-brand)" opacity="0.9" />
      </svg>
      {withName && <span className="c-brand__name">Shutterfind</span>}
    </span>
  );
}
