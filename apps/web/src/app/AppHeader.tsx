import type { PrincipalView } from '@linkmesh/contracts/api';
import { Link } from '../components/Link.tsx';

const sections = [
  { href: '/collectors', label: 'Collectors' },
  { href: '/topology', label: 'Topology' },
  { href: '/pipelines', label: 'Pipelines' },
  { href: '/settings', label: 'Settings' },
] as const;

interface AppHeaderProps {
  pathname: string;
  principal: PrincipalView;
  onSignOut: () => void;
}

/** Product name, the main sections and who is signed in. */
export function AppHeader({ pathname, principal, onSignOut }: AppHeaderProps) {
  return (
    <header className="app-header">
      <Link href="/collectors" className="brand">
        LinkMesh
      </Link>
      <nav aria-label="Main">
        <ul>
          {sections.map(({ href, label }) => (
            <li key={href}>
              <Link href={href} aria-current={pathname.startsWith(href) ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="principal">
        <span>
          <span className="visually-hidden">Signed in as </span>
          {principal.name}
        </span>
        <button type="button" className="button-quiet" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
