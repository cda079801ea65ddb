// A fresh pairing code: the kiosk types it (or scans the QR to open the kiosk page first). It expires.
import { useEffect, useState } from 'react';
import type { PairingCode } from '@api';
import { countdown } from '../../shared/format.js';
import { SvgMarkup } from '../../shared/SvgMarkup.js';
import { CopyButton } from '../CopyButton.js';

interface PairingCodeCardProps {
  pairing: PairingCode;
  onNewCode: () => void;
  onDone: () => void;
}

export function PairingCodeCard({ pairing, onNewCode, onDone }: PairingCodeCardProps) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const expired = Date.parse(pairing.expiresAt) <= now;
  // Grouped in threes so it is read out and typed without losing the place.
  const spaced = pairing.code.length === 6 ? `${pairing.code.slice(0, 3)} ${pairing.code.slice(3)}` : pairing.code;

  return (
    <div className={`c-panel c-pairing${expired ? ' is-expired' : ''}`} data-testid="pairing-panel">
      <div className="c-pairing__steps">
        <ol>
          <li>
            On the kiosk tablet, open{' '}
            <strong className="c-mono c-break" data-testid="kiosk-url">
              {pairing.kioskUrl}
            </strong>{' '}
            <CopyButton value={pairing.kioskUrl} label="Copy address" /> or scan the QR code.
          </li>
          <li>Type this code and a name for the kiosk:</li>
        </ol>
        <div className="c-pairing__code" data-testid="pairing-code" aria-label={`Pairing code ${pairing.code.split('').join(' ')}`}>
          {spaced}
        </div>
        <p className={expired ? 'c-danger-text' : 'c-muted'} data-testid="pairing-expiry">
          {expired ? 'This code has expired.' : `Expires in ${countdown(pairing.expiresAt, now)} · works once`}
        </p>
        <div className="c-row">
          <button type="button" className="c-button" onClick={onNewCode} data-testid="pairing-new-code">
            New code
          </button>
          <button type="button" className="c-button c-button--ghost" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
      <SvgMarkup className="c-qr" svg={pairing.kioskQrSvg} label="QR code of the kiosk address" testId="pairing-qr" />
    </div>
  );
}
