import type { PrincipalView } from '@linkmesh/contracts/api';
import { useCallback, useEffect, useState } from 'react';
import { currentPrincipal, logout } from '../api/auth.api.ts';
import { errorMessage, setUnauthenticatedListener } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { LoginPage } from '../features/auth/LoginPage.tsx';
import { AppHeader } from './AppHeader.tsx';
import { PrincipalContext } from './principal.context.ts';
import { navigate, routeOf, usePathname } from './router.ts';
import { RoutePage } from './RoutePage.tsx';

type Session =
  | { state: 'checking' }
  | { state: 'failed'; message: string }
  | { state: 'signed-out' }
  | { state: 'signed-in'; principal: PrincipalView };

/** Where to return after login: the page that sent us to /login, if any. */
const returnPath = () => new URLSearchParams(window.location.search).get('next') ?? '/collectors';

/**
 * The session gate: asks the server who is signed in, shows the login page otherwise, and
 * returns to it whenever any API call answers 401.
 */
export function App() {
  const pathname = usePathname();
  const [session, setSession] = useState<Session>({ state: 'checking' });

  const signedOut = useCallback(() => {
    setSession({ state: 'signed-out' });
    // The query comes along: a shared, filtered fleet link opens filtered after signing in.
    const { pathname: here, search } = window.location;
    if (here !== '/login')
      navigate(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here + search)}`);
  }, []);

  useEffect(() => {
    setUnauthenticatedListener(signedOut);
    let current = true;
    currentPrincipal().then(
      (principal) => {
        if (!current) return;
        if (principal) setSession({ state: 'signed-in', principal });
        else signedOut();
      },
      (error: unknown) => {
        if (current) setSession({ state: 'failed', message: errorMessage(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [signedOut]);

  const signedIn = (principal: PrincipalView) => {
    setSession({ state: 'signed-in', principal });
    navigate(returnPath(), { replace: true });
  };

  const signOut = async () => {
    await logout().catch(() => undefined);
    signedOut();
  };

  switch (session.state) {
    case 'checking':
      return <p className="page-loading">Loading…</p>;
    case 'failed':
      return (
        <main className="page">
          <ErrorNotice message={session.message} onRetry={() => window.location.reload()} />
        </main>
      );
    case 'signed-out':
      return <LoginPage onSignedIn={signedIn} />;
    case 'signed-in':
      return (
        <PrincipalContext value={session.principal}>
          <AppHeader pathname={pathname} principal={session.principal} onSignOut={() => void signOut()} />
          <main className="page">
            <RoutePage route={routeOf(pathname)} />
          </main>
        </PrincipalContext>
      );
  }
}
