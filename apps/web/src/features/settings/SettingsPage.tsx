import { usePathname } from '../../app/router.ts';
import { Link } from '../../components/Link.tsx';
import { EnrollmentTokensSection } from './EnrollmentTokensSection.tsx';

const sections = [{ href: '/settings/enrollment-tokens', label: 'Enrollment tokens' }] as const;

/** Settings with a side navigation. Enrollment tokens are the only section so far; the next one
 * switches on the route's `section`. */
export function SettingsPage() {
  const pathname = usePathname();
  return (
    <div className="settings">
      <h1>Settings</h1>
      <div className="settings-layout">
        <nav aria-label="Settings">
          <ul>
            {sections.map((entry) => (
              <li key={entry.href}>
                <Link href={entry.href} aria-current={entry.href === pathname ? 'page' : undefined}>
                  {entry.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <EnrollmentTokensSection />
      </div>
    </div>
  );
}
