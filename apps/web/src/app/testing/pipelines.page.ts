import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { Locator, Page } from 'playwright-core';
import { objectPath, objectsPath } from '../router.ts';

/**
 * The pipeline-object editors as a browser test sees them: fields found by their labels,
 * the server's inline messages by the field path they belong to, and no sleeps — each step
 * waits on the element or URL that proves it happened.
 *
 * @example
 * const editors = new PipelinesPage(page);
 * await editors.openNew('source');
 * await editors.field('Name').fill('app-logs');
 */
export class PipelinesPage {
  constructor(readonly page: Page) {}

  async openList(kind: PipelineObjectKind): Promise<void> {
    await this.page.goto(objectsPath(kind));
  }

  async openNew(kind: PipelineObjectKind): Promise<void> {
    await this.page.goto(objectPath(kind, null));
    await this.form.waitFor();
  }

  get form(): Locator {
    return this.page.locator('form.editor-form');
  }

  /** The form control labelled `label` (exactly), inside the editor form. */
  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** The inline message the server's error put at `path` (`config.endpoint` …). */
  fieldError(path: string): Locator {
    return this.form.locator(`[data-field="${path}"] .field-error`).first();
  }

  /** Submits the form (Create … or Save changes). */
  async submit(): Promise<void> {
    await this.form.getByRole('button', { name: /^(Create|Save changes)/ }).click();
  }

  /** Submits a new object and waits for the editor of the saved one; returns its id. */
  async create(kind: PipelineObjectKind): Promise<string> {
    await this.submit();
    const prefix = `${objectsPath(kind)}/`;
    await this.page.waitForURL((url) => url.pathname.startsWith(prefix) && !url.pathname.endsWith('/new'));
    const id = decodeURIComponent(new URL(this.page.url()).pathname.slice(prefix.length));
    await this.page.locator('.revision').waitFor();
    return id;
  }

  get preview(): Locator {
    return this.page.getByRole('complementary', { name: 'Preview' });
  }

  /** Picks the preview's collector by name and waits for its render to arrive. */
  async previewFor(collectorName: string, runtimeLabel: 'otelcol' | 'Alloy'): Promise<void> {
    await this.preview
      .getByLabel('Collector', { exact: true })
      .selectOption({ label: `${collectorName} (${runtimeLabel})` });
    // The previous render stays up until the new one lands: wait for this runtime's format.
    const format = runtimeLabel === 'Alloy' ? 'alloy' : 'otel-yaml';
    await this.preview.locator(`.preview-body[data-format="${format}"]`).waitFor();
    await this.preview.locator('.preview-busy').waitFor({ state: 'detached' });
  }

  /** The full rendered text of the preview (switches to the Full config view). */
  async previewText(format: 'OTel Collector YAML' | 'Alloy configuration'): Promise<string> {
    await this.preview.getByRole('button', { name: 'Full config' }).click();
    const text = this.preview.getByLabel(format, { exact: true });
    await text.waitFor();
    return text.innerText();
  }

  /** The row of the list table whose name is exactly `name`. */
  row(name: string): Locator {
    return this.page
      .getByRole('table')
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }
}
