import type { Locator, Page } from 'playwright-core';

/**
 * The fleet UI as a browser test sees it: one method per thing an operator does, locating
 * elements by role and label the way assistive technology would. No sleeps: every method
 * waits on the element or URL that proves the step happened.
 *
 * @example
 * const fleet = new FleetPage(page);
 * await fleet.login();
 * await fleet.collectorRow('edge-1').waitFor();
 */
export class FleetPage {
  /** Console lines in which Chromium reported blocking something (CSP, mixed content, CORS). */
  readonly policyViolations: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to/.test(text)) this.policyViolations.push(text);
    });
  }

  /**
   * Fails when the page logged a blocked script, style, image, frame or connection: the UI
   * must run entirely under the server's Content Security Policy (decision 0013).
   */
  assertNoPolicyViolations(): void {
    if (this.policyViolations.length > 0)
      throw new Error(`the browser blocked something:\n${this.policyViolations.join('\n')}`);
  }

  async login(username = 'admin', password = 'test-admin-password'): Promise<void> {
    await this.page.goto('/login');
    await this.submitLogin(username, password);
    await this.page.waitForURL('**/collectors');
    await this.collectorsHeading.waitFor();
  }

  /** Fills and submits the login form without waiting for the outcome. */
  async submitLogin(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  get loginError(): Locator {
    return this.page.getByRole('alert');
  }

  get collectorsHeading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Collectors' });
  }

  get collectorsTable(): Locator {
    return this.page.getByRole('table', { name: 'Collectors' });
  }

  /** The table row whose row header (the name column) is exactly `name`. */
  collectorRow(name: string): Locator {
    return this.collectorsTable
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** The status badge's text in the collector's row ("Pending", "Connected" …). */
  async collectorStatus(name: string): Promise<string> {
    return (await this.collectorRow(name).locator('.badge').innerText()).trim();
  }

  get searchBox(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search collectors' });
  }

  /** Types into the search box and waits until the URL (and so the list) carries the search. */
  async search(text: string): Promise<void> {
    await this.searchBox.fill(text);
    await this.page.waitForURL((url) => url.searchParams.get('q') === text.trim());
  }

  /** Toggles a status chip ("Error", "Connected" …) and waits for the URL to follow. */
  async toggleStatus(label: string): Promise<void> {
    const chip = this.page
      .getByRole('group', { name: 'Status' })
      .getByRole('button', { name: new RegExp(`^${label}\\b`) });
    const before = this.page.url();
    await chip.click();
    await this.page.waitForURL((url) => url.href !== before);
  }

  /** The column header button ("Out/s", "Name" …) and its `aria-sort`. */
  columnHeader(label: string): Locator {
    return this.collectorsTable
      .getByRole('columnheader')
      .filter({ has: this.page.getByRole('button', { name: label }) });
  }

  /** Clicks a sortable header and waits until it reports the sort order. */
  async sortBy(label: string, order: 'ascending' | 'descending'): Promise<void> {
    await this.columnHeader(label).getByRole('button').click();
    await this.page.locator(`th[aria-sort="${order}"]`, { hasText: label }).waitFor();
  }

  /** Collector names in the order the table shows them. */
  async collectorNames(): Promise<string[]> {
    return (await this.collectorsTable.locator('tbody th[scope="row"]').allInnerTexts()).map((n) => n.trim());
  }

  /** Waits until the table shows exactly these names, in this order. */
  async waitForNames(names: readonly string[]): Promise<void> {
    await this.page.waitForFunction(
      (expected) => {
        // Typed by hand: bench/ compiles this file without the DOM library.
        const page = globalThis as unknown as {
          document: { querySelectorAll(selector: string): Iterable<{ innerText: string }> };
        };
        const shown = [
          ...page.document.querySelectorAll('table[aria-label="Collectors"] tbody th[scope="row"]'),
        ].map((th) => th.innerText.trim());
        return JSON.stringify(shown) === JSON.stringify(expected);
      },
      [...names],
    );
  }

  get noMatch(): Locator {
    return this.page.getByText('No collectors match.');
  }

  async openAddCollector(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Add collector' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Add collector' });
    await dialog.waitFor();
    return dialog;
  }

  /** Add collector → Grafana Alloy → name → create; returns the dialog showing the snippet. */
  async addAlloyCollector(name: string): Promise<{ dialog: Locator; snippet: string }> {
    const chooser = await this.openAddCollector();
    await chooser.getByRole('button', { name: 'Grafana Alloy' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Add Grafana Alloy' });
    await dialog.getByLabel('Collector name').fill(name);
    await dialog.getByRole('button', { name: 'Create collector' }).click();
    const snippetField = dialog.getByLabel('remotecfg snippet');
    await snippetField.waitFor();
    return { dialog, snippet: await snippetField.inputValue() };
  }

  /** Add collector → OpAMP; returns the install command shown once. */
  async addOpampCollector(): Promise<{ dialog: Locator; command: string }> {
    return this.addWithInstaller('OpAMP (otelcol-contrib)');
  }

  async addManagedCollector(): Promise<{ dialog: Locator; command: string }> {
    return this.addWithInstaller('Managed Alloy (linkmesh-agent)');
  }

  /** Picks a kind that mints an enrollment token and returns the one-line installer shown. */
  private async addWithInstaller(kind: string): Promise<{ dialog: Locator; command: string }> {
    const chooser = await this.openAddCollector();
    await chooser.getByRole('button', { name: kind }).click();
    const dialog = this.page.getByRole('dialog', { name: `Add ${kind}` });
    await dialog.getByRole('button', { name: 'Create enrollment token' }).click();
    const commandField = dialog.getByLabel('Install command');
    await commandField.waitFor();
    return { dialog, command: await commandField.inputValue() };
  }

  async closeDialog(dialog: Locator): Promise<void> {
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** Row menu → Deregister → confirm, then waits until the row has left the list. */
  async deregister(name: string): Promise<void> {
    await this.collectorRow(name)
      .getByRole('button', { name: `Actions for ${name}` })
      .click();
    await this.page.getByRole('menuitem', { name: 'Deregister' }).click();
    const confirm = this.page.getByRole('dialog', { name: `Deregister ${name}?` });
    await confirm.getByRole('button', { name: 'Deregister' }).click();
    await confirm.waitFor({ state: 'detached' });
    await this.collectorRow(name).waitFor({ state: 'detached' });
  }

  async openCollector(name: string): Promise<void> {
    await this.collectorRow(name).getByRole('link', { name, exact: true }).click();
    await this.page.waitForURL('**/collectors/*');
    await this.page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  }

  /** Value of a field on the Overview tab ("Host CPU", "Restarts" …). */
  async overviewField(label: string): Promise<string> {
    const field = this.page
      .locator('.fields > div')
      .filter({ has: this.page.locator('dt').getByText(label, { exact: true }) });
    return (await field.locator('dd').innerText()).trim();
  }

  /** Opens the Events tab and returns its rows in the order shown (newest first). */
  async events(): Promise<{ type: string; detail: string }[]> {
    await this.page.getByRole('tab', { name: 'Events' }).click();
    await this.page.waitForURL('**/events');
    const rows = this.page.getByRole('table', { name: 'Events' }).locator('tbody tr');
    await rows.first().waitFor();
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())),
    );
    return cells.map(([type = '', , detail = '']) => ({ type, detail }));
  }

  /** Opens the Components tab and waits until it shows components or its empty state. */
  async openComponents(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Components' }).click();
    await this.page.waitForURL('**/components');
    await this.componentsTable.or(this.componentsEmpty).waitFor();
  }

  get componentsTable(): Locator {
    return this.page.getByRole('table', { name: 'Components' });
  }

  get componentsEmpty(): Locator {
    return this.page.getByText('No self-telemetry yet.');
  }

  /** Asks for the rates now instead of at the next 30 s refresh; callers wait on what changes. */
  async refreshComponents(): Promise<void> {
    await this.page.getByRole('button', { name: 'Refresh' }).click();
  }

  /** Picks the look-back window ("5m", "15m", "1h") and waits for the table to follow. */
  async pickComponentsWindow(label: string, long: string): Promise<void> {
    await this.page
      .getByRole('group', { name: 'Window' })
      .getByRole('button', { name: label, exact: true })
      .click();
    await this.componentsTable.getByRole('columnheader', { name: `Last ${long}` }).waitFor();
  }

  /** A component's row inside its kind's group ("Receivers", "Processors", "Exporters"). */
  componentRow(group: 'Receivers' | 'Processors' | 'Exporters', componentId: string): Locator {
    return this.componentsTable
      .getByRole('rowgroup', { name: group })
      .getByRole('row')
      .filter({
        has: this.page.getByRole('rowheader').locator('code').getByText(componentId, { exact: true }),
      });
  }

  /** The cell of `row` under the column headed `column` ("Records/s", "Queue" …). */
  async componentCell(row: Locator, column: string): Promise<Locator> {
    // textContent, not innerText: the headers are upper-cased by CSS.
    const headers = (await this.componentsTable.locator('thead th').allTextContents()).map((h) => h.trim());
    const index = headers.indexOf(column);
    if (index < 0) throw new Error(`no column "${column}" among ${headers.join(', ')}`);
    return row.locator('xpath=./*').nth(index);
  }

  /** Opens the "Raw rows" disclosure and waits for its table. */
  async openRawRows(): Promise<Locator> {
    await this.page.getByText('Raw rows', { exact: true }).click();
    const table = this.page.getByRole('table', { name: 'Raw rows' });
    await table.waitFor();
    return table;
  }

  async openEnrollmentTokens(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await this.page.waitForURL('**/settings/enrollment-tokens');
    await this.enrollmentTokensTable.waitFor();
  }

  get enrollmentTokensTable(): Locator {
    return this.page.getByRole('table', { name: 'Enrollment tokens' });
  }

  /** Settings → Create token; returns the token shown once. */
  async createEnrollmentToken(): Promise<string> {
    await this.page.getByRole('button', { name: 'Create token' }).click();
    const field = this.page.getByLabel('New enrollment token');
    await field.waitFor();
    return field.inputValue();
  }

  /** The token row whose prefix (as the API lists it) matches. */
  enrollmentTokenRow(prefix: string): Locator {
    return this.enrollmentTokensTable
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: prefix, exact: true }) });
  }

  async revokeEnrollmentToken(prefix: string): Promise<void> {
    await this.enrollmentTokenRow(prefix)
      .getByRole('button', { name: `Revoke token ${prefix}` })
      .click();
    const confirm = this.page.getByRole('dialog', { name: `Revoke token ${prefix}?` });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'detached' });
    await this.enrollmentTokenRow(prefix).locator('.badge', { hasText: 'Revoked' }).waitFor();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }
}
