import type { Locator, Page } from 'playwright-core';

/**
 * The topology canvas as a browser test sees it: the collector's Topology tab or the fleet
 * page, located by role and accessible name. Every method waits on what proves its step.
 *
 * @example
 * const topology = new TopologyPage(page);
 * await topology.openCollectorTab(collectorId, 'edge-1');
 * await topology.element('Source app logs').waitFor();
 */
export class TopologyPage {
  constructor(readonly page: Page) {}

  /** Opens a collector's Topology tab by URL and waits for the canvas or its empty state. */
  async openCollectorTab(collectorId: string, name: string): Promise<void> {
    await this.page.goto(`/collectors/${encodeURIComponent(collectorId)}/topology`);
    await this.page.getByRole('tab', { name: 'Topology', selected: true }).waitFor();
    this.canvasName = `Topology of ${name}`;
    await this.canvas.or(this.emptyState).waitFor();
  }

  /** Opens the fleet page from the header. */
  async openFleet(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topology' }).click();
    await this.page.waitForURL('**/topology');
    this.canvasName = 'Fleet topology';
    await this.canvas.or(this.emptyState).waitFor();
  }

  private canvasName = '';

  get canvas(): Locator {
    return this.page.getByRole('region', { name: this.canvasName, exact: true });
  }

  get emptyState(): Locator {
    return this.page.locator('.canvas-empty');
  }

  /** One canvas element by its accessible name: kind and name ("Source app logs", "Step guarded: 1. batch"). */
  element(name: string): Locator {
    return this.canvas.getByRole('group', { name, exact: true });
  }

  /** The canvas's "Fit View" control: zooms out until every element is drawn. */
  async fitView(): Promise<void> {
    await this.canvas.getByRole('button', { name: 'Fit View' }).click();
  }

  /** How many elements the canvas has in the page (only those in view are). */
  async drawnElementCount(): Promise<number> {
    return this.canvas.locator('.react-flow__node .element').count();
  }

  /** Every element's accessible name, once the canvas has drawn them. */
  async elementNames(): Promise<string[]> {
    const names = await this.canvas
      .locator('.react-flow__node')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? ''));
    return names.sort();
  }

  /** The labels drawn on the edges, in DOM order. */
  edgeLabels(): Locator {
    return this.canvas.locator('.edge-label');
  }

  get throughputSwitch(): Locator {
    return this.page.getByRole('switch', { name: 'Throughput' });
  }

  /** Turns the throughput switch on or off and waits until it says so. */
  async setThroughput(on: boolean): Promise<void> {
    if ((await this.throughputSwitch.getAttribute('aria-checked')) !== String(on)) {
      await this.throughputSwitch.click();
    }
    await this.page.locator(`[role="switch"][aria-checked="${String(on)}"]`).waitFor();
  }

  /** Waits until an element's visible text matches (a label that changes in place). */
  async waitForElementText(name: string, pattern: RegExp): Promise<void> {
    await this.element(name).filter({ hasText: pattern }).waitFor();
  }

  get liveStatus(): Locator {
    return this.page.getByRole('toolbar', { name: 'Canvas' }).getByRole('status');
  }

  get diagnosis(): Locator {
    return this.page.getByRole('region', { name: 'Why numbers are missing' });
  }

  /** Opens the legend and returns it. */
  async openLegend(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'How to read the numbers' }).click();
    const legend = this.page.getByRole('region', { name: 'Reading throughput on the canvas' });
    await legend.waitFor();
    return legend;
  }

  async closeLegend(): Promise<void> {
    await this.page.getByRole('button', { name: 'How to read the numbers', expanded: true }).click();
    await this.page
      .getByRole('region', { name: 'Reading throughput on the canvas' })
      .waitFor({ state: 'detached' });
  }

  /** Clicks an element and returns its side panel. */
  async openElement(name: string, title: string): Promise<Locator> {
    await this.element(name).click();
    const panel = this.page.getByRole('complementary', { name: `Details of ${title}` });
    await panel.waitFor();
    return panel;
  }

  /** Where an element sits on the page (to prove a live update did not move it). */
  async elementBox(name: string): Promise<{ x: number; y: number }> {
    const box = await this.element(name).boundingBox();
    if (box === null) throw new Error(`${name} is not on screen`);
    return { x: Math.round(box.x), y: Math.round(box.y) };
  }

  /** The durations (ms) of the live updates the page measured (`topology:update`). */
  async updateDurationsMs(): Promise<number[]> {
    return this.page.evaluate(() =>
      performance.getEntriesByName('topology:update').map((entry) => entry.duration),
    );
  }
}
