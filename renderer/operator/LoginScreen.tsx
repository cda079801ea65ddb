// Shown whenever the API answers 401: the operator pastes the token `shutterfind serve` printed.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../shared/api.js';
import { Spinner } from '../shared/StateViews.js';
import { BrandMark } from './BrandMark.js';
import { signIn } from './session.js';
import { useConsole } from './store.js';

export function LoginScreen() {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const notice = useConsole((s) => s.loginNotice);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(token);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="c-login" data-testid="login-screen">
      <form className="c-login__card" onSubmit={submit}>
        <BrandMark />
        <h1>Sign in to the console</h1>
        <p className="c-muted">
          Paste the operator token that <code>shutterfind serve</code> printed when it started. It is also shown in Settings on a console
          that is already signed in.
        </p>
        <label className="c-field">
          <span>Operator token</span>
          <input
            data-testid="login-token"
            type="password"
            autoComplete="off"
            autoFocus
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="e.g. 3f9c…"
          />
        </label>
        {notice && !error && (
          <p className="c-form-error" role="status" data-testid="login-notice">
            {notice}
          </p>
        )}
        {error && (
          <p className="c-form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button
          className="c-button c-button--primary c-button--block"
          type="submit"
          disabled={busy || !token.trim()}
          data-testid="login-submit"
        >
          {busy ? <Spinner size="small" label="Signing in" /> : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
