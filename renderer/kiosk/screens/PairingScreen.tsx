// First run on a new tablet: the operator's 6-digit code and a name make this screen a kiosk.
import { useState, type FormEvent } from 'react';
import { KioskScreen } from '../KioskScreen.js';
import { useKiosk } from '../store.js';

const CODE_LENGTH = 6;

export function PairingScreen() {
  const pair = useKiosk((s) => s.pair);
  const busy = useKiosk((s) => s.busy);
  const error = useKiosk((s) => s.error);
  const [code, setCode] = useState('');
  const [name, setName] = useState('Kiosk');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.length === CODE_LENGTH && name.trim()) void pair(code, name.trim());
  };

  return (
    <KioskScreen name="pairing">
      <form className="k-card k-pairing" onSubmit={submit}>
        <h1>Set up this kiosk</h1>
        <p className="k-lead">
          On the photographer's laptop, open the console, go to <strong>Kiosks</strong> and press <strong>Pair a kiosk</strong>. Then type
          the code shown there.
        </p>
        <label className="k-field">
          <span>Pairing code</span>
          <input
            className="k-code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={CODE_LENGTH}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, CODE_LENGTH))}
            placeholder="••••••"
            autoFocus
            data-testid="pairing-code-input"
          />
        </label>
        <label className="k-field">
          <span>Name of this kiosk</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={40}
            placeholder="Entrance"
            data-testid="pairing-name-input"
          />
        </label>
        {error && (
          <p className="k-error" role="alert" data-testid="pairing-error">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="k-button k-button--primary k-button--wide"
          disabled={busy || code.length !== CODE_LENGTH || !name.trim()}
          data-testid="pair-button"
        >
          {busy ? 'Pairing…' : 'Pair this kiosk'}
        </button>
      </form>
    </KioskScreen>
  );
}
