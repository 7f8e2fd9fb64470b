// Drives headless Debian Chromium through the scenarios of a plan written by tests/browser/main.rs
// and writes what Chromium really did as JSON.
//
//   node driver.mjs PLAN.json OUT.json
//
// The plan: { chromium, page, page_localhost, api, api2, scenarios: [{ id, origin: "page"|"localhost"|"null", steps: [{ wait_ms,
// url, method, headers: [[name, value]], credentials, body, read: [names] }] }] }.
// For every step the result holds what the script saw (ok, status, readable headers), the CDP
// Network.loadingFailed facts (corsErrorStatus.corsError / failedParameter, errorText), how many
// requests of CDP type "Preflight" Chromium reported, and what the server received (drained from
// the scripted server's /_drain/<id> after the step).
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [planPath, outPath] = process.argv.slice(2);
if (!planPath || !outPath) {
  console.error('usage: node driver.mjs PLAN.json OUT.json');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const profile = mkdtempSync(join(tmpdir(), 'tower-cors-chromium-'));
let context;
try {
  // A persistent context so the profile directory is a fresh one of ours (--user-data-dir).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: plan.chromium,
    headless: true,
    timeout: 60000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
} catch (e) {
  console.error(`driver: Chromium at ${plan.chromium} did not start: ${e}`);
  process.exit(3);
}

const version = context.browser() ? context.browser().version() : null;
const page = context.pages()[0] ?? (await context.newPage());
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
const { product, userAgent } = await cdp.send('Browser.getVersion');

// requestId -> { url, type }; events in arrival order.
const requests = new Map();
let events = [];
function listen(cdp) {
cdp.on('Network.requestWillBeSent', (e) => {
  if (process.env.DRIVER_DEBUG) console.error('sent', e.type, e.request.method, e.request.url);
  requests.set(e.requestId, { url: e.request.url, type: e.type });
  events.push({ kind: 'sent', requestId: e.requestId, url: e.request.url, type: e.type, method: e.request.method });
});
cdp.on('Network.loadingFailed', (e) => {
  const r = requests.get(e.requestId) ?? {};
  events.push({
    kind: 'failed',
    requestId: e.requestId,
    url: r.url,
    type: e.type ?? r.type,
    errorText: e.errorText,
    corsErrorStatus: e.corsErrorStatus ?? null,
  });
});
}
listen(cdp);

await page.goto(plan.page);
await page.waitForFunction(() => window.runnerReady === true);

// The null-origin runner: a sandboxed iframe (allow-scripts only, so its origin is opaque).
let nullFrame = null;
async function getNullFrame() {
  if (nullFrame) return nullFrame;
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.name = 'null-origin';
    f.setAttribute('sandbox', 'allow-scripts');
    f.srcdoc = `<!doctype html><script src="${src}"></script>`;
    document.body.appendChild(f);
  }, `${plan.page_origin}/runner.js`);
  for (let i = 0; i < 200 && !nullFrame; i++) {
    nullFrame = page.frames().find((f) => f.name() === 'null-origin') ?? null;
    if (!nullFrame) await sleep(10);
  }
  await nullFrame.waitForFunction(() => window.runnerReady === true);
  // A sandboxed frame may run out of process (its own target): then its network events only reach
  // a CDP session attached to that frame.
  try {
    const frameCdp = await context.newCDPSession(nullFrame);
    await frameCdp.send('Network.enable');
    listen(frameCdp);
  } catch (e) {
    if (process.env.DRIVER_DEBUG) console.error('null frame is in process:', String(e));
  }
  const origin = await nullFrame.evaluate(() => self.origin);
  if (origin !== 'null') throw new Error(`sandboxed frame origin is ${origin}, not null`);
  return nullFrame;
}

// The same page served as http://localhost:<port> (the origin the example apps allow), in a tab
// of its own with its own CDP session.
let localhostFrame = null;
async function getLocalhostFrame() {
  if (localhostFrame) return localhostFrame;
  const tab = await context.newPage();
  const tabCdp = await context.newCDPSession(tab);
  await tabCdp.send('Network.enable');
  listen(tabCdp);
  await tab.goto(plan.page_localhost);
  await tab.waitForFunction(() => window.runnerReady === true);
  localhostFrame = tab.mainFrame();
  return localhostFrame;
}

const results = [];
for (const s of plan.scenarios) {
  const frame =
    s.origin === 'null' ? await getNullFrame()
    : s.origin === 'localhost' ? await getLocalhostFrame()
    : page.mainFrame();
  const steps = [];
  for (const step of s.steps) {
    if (step.wait_ms) await sleep(step.wait_ms);
    events = [];
    const seen = await frame.evaluate((st) => window.runFetch(st), step);
    // A redirect to the server's other origin (localhost) keeps the same CDP requestId.
    const other = plan.api2 ? step.url.replace(plan.api, plan.api2) : step.url;
    const mine = (e) => e.url && (e.url.startsWith(step.url) || e.url.startsWith(other));
    // loadingFailed may arrive just after the promise settles.
    let failure = null;
    if (!seen.ok) {
      for (let i = 0; i < 300; i++) {
        const failed = events.filter((e) => e.kind === 'failed' && mine(e));
        failure =
          failed.find((e) => e.corsErrorStatus && e.type !== 'Preflight') ??
          failed.find((e) => e.corsErrorStatus) ??
          null;
        if (failure) break;
        if (i > 50 && failed.length > 0) {
          failure = failed[0];
          break;
        }
        await sleep(10);
      }
    } else {
      await sleep(5);
    }
    // Chromium 156 reports a preflight as its own request (method OPTIONS, type "Other" on the
    // page's session); a fetch with method OPTIONS is of type "Fetch".
    const cdpPreflights = events.filter(
      (e) => e.kind === 'sent' && e.method === 'OPTIONS' && e.type !== 'Fetch' && mine(e),
    ).length;
    const server = await (await fetch(`${plan.api}/_drain/${s.id}`)).json();
    steps.push({
      ok: seen.ok,
      status: seen.ok ? seen.status : null,
      readable: seen.ok ? seen.readable : {},
      keys: seen.ok ? seen.keys : [],
      fetch_error: seen.ok ? null : seen.error,
      cors_error: failure?.corsErrorStatus?.corsError ?? null,
      failed_parameter: failure?.corsErrorStatus?.failedParameter ?? null,
      error_text: failure?.errorText ?? null,
      cdp_preflights: cdpPreflights,
      server,
    });
  }
  results.push({ id: s.id, steps });
}

writeFileSync(outPath, JSON.stringify({ version, product, user_agent: userAgent, results }, null, 2));
await context.close();
rmSync(profile, { recursive: true, force: true });
