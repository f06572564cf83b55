/**
 * Renders simulator reports in headless Chromium and writes PNGs beside them under out/screenshots/:
 * the whole page, and the page with the cursor on the first chart (the others follow it).
 *
 *   npm run report:screenshots -- [REPORT.html ...] [--out DIR]
 *
 * Defaults: out/report.html into out/screenshots. Needs Chromium at /usr/bin/chromium (or
 * CHROMIUM_PATH); the tests never do.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A name for a report's PNGs: its directory's name, or the file's own for out/report.html. */
function stem(file: string): string {
  const dir = basename(dirname(resolve(file)));
  return dir === 'out' ? basename(file, '.html') : dir;
}

async function main(argv: string[]): Promise<void> {
  const files: string[] = [];
  let out = join('out', 'screenshots');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      out = argv[++i];
      if (!out) throw new Error('--out needs a directory');
    } else files.push(argv[i]);
  }
  if (!files.length) files.push(join('out', 'report.html'));
  for (const f of files) if (!existsSync(f)) throw new Error(`${f}: no such report; write one with npm start first`);
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath}: Chromium not found; install it (apt-get install chromium) or set CHROMIUM_PATH`);
  mkdirSync(out, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    timezoneId: 'America/Los_Angeles', // not UTC, so a time shown in local time would show up as wrong
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const f of files) {
      errors.length = 0;
      await page.goto(pathToFileURL(resolve(f)).href);
      await page.waitForLoadState('load');
      if (errors.length) throw new Error(`${f}: the page failed: ${errors.join('; ')}`);
      await page.locator('.uplot').first().waitFor({ timeout: 10_000 });
      const name = stem(f);
      const full = join(out, `${name}.png`);
      await page.screenshot({ path: full, fullPage: true });
      // The cursor at 60% of the first chart: every chart's cursor and legend should follow.
      const over = page.locator('.uplot .u-over').first();
      const box = await over.boundingBox();
      if (box) await over.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
      const cursor = join(out, `${name}-cursor.png`);
      await page.screenshot({ path: cursor, fullPage: true });
      console.log(`${f}: ${full}, ${cursor}`);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
