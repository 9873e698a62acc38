import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CollectorView, EnrollmentTokenCreated } from '@linkmesh/contracts/api';
import type { SourceView } from '@linkmesh/contracts/pipelines-api';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromiumSkip, ensureWebBuilt, launchChromium } from '../../app/testing/chromium.ts';
import { OpampWsAgent } from '../../../../server/src/testing/opamp/opamp-ws-agent.ts';
import { startTestServer, type TestServer } from '../../../../server/src/testing/server-harness.ts';
import { FleetPage } from '../../app/testing/fleet.page.ts';
import { PipelinesPage } from '../../app/testing/pipelines.page.ts';

const webDir = fileURLToPath(new URL('../../..', import.meta.url));
const skip = chromiumSkip;
/** Under the repository's gitignored .tmp/, kept after the run for people to look at. */
const screenshotDir = join(webDir, '../../.tmp/web-screenshots/pipelines');

const secretToken = 'tok-do-not-leak-9f8e7d';

describe('pipeline object editors in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let fleet: FleetPage;
  let editors: PipelinesPage;
  let agent: OpampWsAgent;
  /** A connected OpAMP collector (otelcol) with delivered config versions, and a pending Alloy one. */
  let otelcol: CollectorView;
  let alloy: CollectorView;

  async function post<T>(path: string, json: unknown): Promise<T> {
    const response = await server.api(path, { method: 'POST', json });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as T;
  }

  async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  const shot = (name: string) =>
    editors.page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    server = await startTestServer();
    const { token } = await post<EnrollmentTokenCreated>('/api/v1/enrollment-tokens', {});
    agent = new OpampWsAgent({
      url: `${server.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    await agent.connect();
    await agent.waitFor((m) => m.remoteConfig !== undefined, { timeoutMs: 5000 });
    const list = (await (await server.api('/api/v1/collectors')).json()) as { items: CollectorView[] };
    const enrolled = list.items.find((c) => c.instanceUid === agent.instanceUidText);
    assert.ok(enrolled, 'the OpAMP agent enrolled');
    otelcol = enrolled;
    alloy = await post<CollectorView>('/api/v1/collectors', { name: 'edge-alloy-1', runtime: 'alloy' });
    browser = await launchChromium();
  });

  beforeEach(async () => {
    if (skip) return;
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    fleet = new FleetPage(page);
    editors = new PipelinesPage(page);
    await fleet.login();
  });

  afterEach(async () => {
    if (skip) return;
    try {
      fleet.assertNoPolicyViolations();
    } finally {
      await context.close();
    }
  });

  after(async () => {
    if (skip) return;
    await agent.close();
    await browser.close();
    await server.close();
    process.stdout.write(`# pipeline editor screenshots: ${screenshotDir}\n`);
  });

  it('sources: empty list, a missing required field shown inline, then created', { skip }, async () => {
    await editors.openList('source');
    await editors.page.getByText('No sources yet.').waitFor();
    await shot('sources-empty');
    await editors.page.getByRole('button', { name: 'New source' }).click();
    await editors.field('Name').fill('app-files');
    await editors.field('Type').selectOption('filelog');
    await editors.submit();
    await editors.fieldError('config.include').waitFor();
    assert.match(await editors.fieldError('config.include').innerText(), /\S/);
    assert.equal(await editors.field('Include').getAttribute('aria-invalid'), 'true');
    await shot('source-validation-error');
    await editors.field('Include').fill('/var/log/app/*.log');
    const id = await editors.create('source');
    await editors.page.getByRole('heading', { level: 1, name: 'app-files' }).waitFor();
    const saved = (await (await server.api(`/api/v1/sources/${id}`)).json()) as SourceView;
    assert.deepEqual(saved.config.include, ['/var/log/app/*.log']);
    assert.equal(saved.config.startAt, 'end', 'fields left blank take the server default');
  });

  it(
    'destinations: an invalid endpoint inline, then saved with a secret that never comes back',
    { skip },
    async () => {
      await editors.openNew('destination');
      await editors.field('Name').fill('vendor-otlp');
      await editors.field('Type').selectOption('otlphttp');
      await editors.field('Endpoint').fill('not a url');
      await editors.field('Bearer token').fill(secretToken);
      await editors.submit();
      await editors.fieldError('config.endpoint').waitFor();
      await editors.field('Endpoint').fill('https://otlp.example.com');
      const id = await editors.create('destination');
      assert.ok(
        !(await editors.page.content()).includes(secretToken),
        'the secret is not in the page after saving',
      );
      assert.equal(
        await editors.field('Bearer token').inputValue(),
        '',
        'a stored secret shows as an empty field',
      );
      await editors.form.getByText('stored', { exact: true }).waitFor();
      await editors.page.reload();
      await editors.field('Bearer token').waitFor();
      assert.ok(!(await editors.page.content()).includes(secretToken), 'nor after a reload');
      const view = (await (await server.api(`/api/v1/destinations/${id}`)).json()) as SourceView;
      assert.equal(view.config.bearerToken, '********');

      // Saving another change without touching the secret keeps it.
      await editors.field('Compression').selectOption('zstd');
      await editors.submit();
      await editors.page.getByText('Saved revision 2.').waitFor();
      const kept = (await (await server.api(`/api/v1/destinations/${id}`)).json()) as SourceView;
      assert.deepEqual(kept.secrets, [{ path: 'bearerToken', hasValue: true }]);
      await shot('destination-saved');
    },
  );

  it(
    'pipelines: a processor step out of range inline, then saved with its steps in order',
    { skip },
    async () => {
      await editors.openNew('pipeline');
      await editors.field('Name').fill('batch-and-limit');
      await editors.form.getByLabel('Add processor').selectOption('batch');
      await editors.field('Timeout (ms)').fill('0');
      await editors.submit();
      await editors.fieldError('processors.0.config.timeoutMilliseconds').waitFor();
      await editors.field('Timeout (ms)').fill('500');
      await editors.form.getByLabel('Add processor').selectOption('memory_limiter');
      await editors.create('pipeline');
      await editors.form.getByRole('listitem', { name: /^Step 2: / }).waitFor();
      await shot('pipeline-saved');
    },
  );

  it(
    'routes: no destination is refused inline; the preview renders YAML and Alloy; saved',
    { skip },
    async () => {
      await editors.openNew('route');
      await editors.field('Name').fill('app-files-to-vendor');
      await editors.field('Source').selectOption({ label: 'app-files' });
      await editors.field('Pipeline').selectOption({ label: 'batch-and-limit' });
      await editors.form.getByRole('checkbox', { name: otelcol.name }).check();
      await editors.form.getByRole('checkbox', { name: alloy.name }).check();
      await editors.submit();
      await editors.fieldError('destinationIds').waitFor();
      assert.match(await editors.fieldError('destinationIds').innerText(), /destination/);

      await editors.form.getByRole('checkbox', { name: 'vendor-otlp' }).check();
      assert.equal(await editors.fieldError('destinationIds').count(), 0, 'an edit clears the stale message');
      await editors.previewFor(otelcol.name, 'otelcol');
      const yaml = await editors.previewText('OTel Collector YAML');
      assert.match(yaml, /filelog/, 'the unsaved route is in the otelcol render');
      assert.match(yaml, /\/var\/log\/app\/\*\.log/);
      assert.ok(!yaml.includes(secretToken), 'the preview masks the secret');
      await shot('route-preview-otelcol');
      await editors.previewFor(alloy.name, 'Alloy');
      const river = await editors.previewText('Alloy configuration');
      assert.match(river, /\/var\/log\/app\/\*\.log/, 'the unsaved route is in the Alloy render');
      assert.match(river, /otelcol\.exporter\.otlphttp "dst_/);
      assert.ok(!river.includes(secretToken));
      await shot('route-preview-alloy');

      await editors.create('route');
      await editors.page.getByText(/Runs on 2 collectors|Refused on/).waitFor();
      await shot('route-saved');
    },
  );

  it('groups: an invalid regex is shown on its matcher; saved; members listed', { skip }, async () => {
    await editors.openNew('group');
    await editors.field('Name').fill('all-edges');
    await editors.form.getByLabel('Matcher 1 label').fill('runtime');
    await editors.form.getByLabel('Matcher 1 operator').selectOption('=~');
    await editors.form.getByLabel('Matcher 1 value').fill('(');
    await editors.submit();
    await editors.fieldError('matchers.0').waitFor();
    assert.match(await editors.fieldError('matchers.0').innerText(), /regular expression/);
    await shot('group-validation-error');
    await editors.form.getByLabel('Matcher 1 value').fill('.*');
    await editors.create('group');
    await editors.page.getByRole('region', { name: 'Members' }).waitFor();
  });

  it('lists many objects, searchable, in light and dark themes', { skip }, async () => {
    for (let i = 1; i <= 36; i++)
      await post('/api/v1/sources', {
        name: `otlp-${String(i).padStart(2, '0')}`,
        type: i % 3 === 0 ? 'journald' : 'otlp',
        config: {},
      });
    await editors.openList('source');
    await editors.row('otlp-36').waitFor();
    await shot('sources-many-light');
    await editors.page.emulateMedia({ colorScheme: 'dark' });
    await shot('sources-many-dark');
    await editors.page.getByRole('searchbox', { name: 'Search sources' }).fill('journald');
    await editors.row('otlp-03').waitFor();
    assert.equal(await editors.row('otlp-01').count(), 0, 'the filter hides other types');
    await editors.openList('route');
    await editors.row('app-files-to-vendor').waitFor();
    await shot('routes-dark');
    await editors.page.getByRole('link', { name: 'app-files-to-vendor' }).click();
    await editors.preview.locator('.preview-body').waitFor();
    await shot('route-editor-dark');
  });

  it('the collector Config tab: versions with diffs and a rollback', { skip }, async () => {
    // A change of the fleet default gives the OpAMP collector a second version.
    const yaml =
      'receivers:\n  otlp:\n    protocols:\n      http: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n';
    await server.api('/api/v1/settings/otel-default-config', { method: 'PUT', json: { yaml } });
    const versionsOf = async () =>
      (
        (await (await server.api(`/api/v1/collectors/${otelcol.id}/config/versions`)).json()) as {
          items: { version: number }[];
        }
      ).items;
    const before = await until('two versions', versionsOf, (items) => items.length >= 2);
    const newest = before[0]?.version ?? 0;

    await editors.page.goto(`/collectors/${otelcol.id}/config`);
    const versions = editors.page.getByRole('region', { name: 'Config versions' });
    await versions.getByRole('listitem', { name: `Version ${newest}` }).waitFor();
    await versions.getByRole('button', { name: `v${newest}`, exact: true }).click();
    await versions
      .getByRole('figure', { name: `Changes in version ${newest}` })
      .locator('.diff-add')
      .first()
      .waitFor();
    await shot('collector-config');
    await versions.getByRole('button', { name: 'Roll back to v1' }).click();
    await editors.page.getByRole('dialog').getByRole('button', { name: 'Roll back to v1' }).click();
    await versions.getByRole('listitem', { name: `Version ${newest + 1}` }).waitFor();
    const after = await versionsOf();
    assert.equal(after[0]?.version, newest + 1, 'the rollback is a new version');
    await editors.page.emulateMedia({ colorScheme: 'dark' });
    await shot('collector-config-dark');
  });
});
