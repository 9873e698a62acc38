import type { PrincipalView } from '@linkmesh/contracts/api';
import { useState, type SubmitEvent } from 'react';
import { login } from '../../api/auth.api.ts';
import { errorMessage } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** Username and password; shows the server's own message on 401 (bad credentials) and 429 (throttled). */
export function LoginPage({ onSignedIn }: { onSignedIn: (principal: PrincipalView) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await login({ username, password }));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <p className="brand">LinkMesh</p>
        <h1 id="login-title">Sign in</h1>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            autoFocus
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error !== undefined && <ErrorNotice message={error} />}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
