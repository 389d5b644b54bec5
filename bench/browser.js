// Time to a painted home dashboard page in headless Chromium (bench/run.sh runs it).
//
// Logs in as manager1 (password rota-demo) through the login page, then loads
// /homes/1/ LOADS times in pairs: "cold" right after POST /cache/clear/ (the page's
// HTML fragment and the dashboard are computed from the database), then "warm"
// (the fragment is a cache hit), then "nojs" (warm, in a second context with the
// same session cookie and JavaScript disabled: what the page costs without its
// scripts, Chart.js among them). The browser keeps its own HTTP cache between
// loads, as a returning user's does (the static files are `immutable`).
// Figures per load, from the page's Navigation Timing and Paint Timing entries, in
// ms from the start of the navigation: ttfb (responseStart), fcp
// (first-contentful-paint), dcl (domContentLoadedEventEnd: the charts are drawn),
// load (loadEventEnd).
//
// With FLOOR_URL set, each pair is preceded by a load of that page (a tiny static
// HTML page on nginx), "floor": what this browser on this machine needs to paint anything.
// Each pair is followed by two loads of the rota page, /homes/1/rota/ (the week
// from today of a 40-staff, 4-unit home): "rota-cold" (its fragment was cleared
// with the rest) and "rota" (warm), for issue 13's target: the warm rota page
// paints within 1.5x of the floor, and its server time is within 2x of the warm
// dashboard page's.
//
// Environment: ROTA_URL, ROTA_TOKEN (an administrator's bearer token, for
// /cache/clear/), LOADS (7), CONTENDER (a label), CHROMIUM (/usr/bin/chromium), FLOOR_URL,
// NOJS ("0": no JavaScript-off loads).
// Prints one tab-separated line per load:
//   browser CONTENDER first|floor|cold|warm|nojs|rota-cold|rota ttfb fcp dcl load x-cache
'use strict';
const path = require('node:path');
const { chromium } = require(path.join(__dirname, '../web/node_modules/playwright-core'));

const base = process.env.ROTA_URL;
const token = process.env.ROTA_TOKEN;
const loads = Number(process.env.LOADS || 7);
const who = process.env.CONTENDER || '-';

async function clearCache() {
  const r = await fetch(base + '/cache/clear/', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!r.ok) throw new Error('POST /cache/clear/ answered ' + r.status);
}

async function timedLoad(page, kind, url = base + '/homes/1/') {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) throw new Error(url + ' answered ' + (response && response.status()));
  // Polled from here (not page.waitForFunction, which needs the page's own JavaScript).
  let t;
  for (let waited = 0; ; waited += 20) {
    t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { ttfb: nav.responseStart, fcp: fcp ? fcp.startTime : 0, dcl: nav.domContentLoadedEventEnd,
               load: nav.loadEventEnd };
    });
    if (t.fcp > 0 && t.load > 0) break;
    if (waited > 10000) throw new Error(url + ': no first-contentful-paint or load event after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const xcache = response.headers()['x-cache'] || '-';
  const f = (x) => x.toFixed(1);
  console.log(['browser', who, kind, f(t.ttfb), f(t.fcp), f(t.dcl), f(t.load), xcache].join('\t'));
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(base + '/login?next=/homes/1/');
    await page.fill('#username', 'manager1');
    await page.fill('#password', 'rota-demo');
    await page.click('#login-submit');
    await page.waitForURL(base + '/homes/1/');
    await page.waitForSelector('#chart-by-day');
    await timedLoad(page, 'first');  // the browser's own cache now holds the static files
    const withNojs = process.env.NOJS !== '0';
    const nojsContext = await browser.newContext({
      viewport: { width: 1280, height: 900 }, javaScriptEnabled: false, storageState: await context.storageState(),
    });
    const nojs = await nojsContext.newPage();
    if (withNojs) await timedLoad(nojs, 'first-nojs');
    for (let i = 0; i < loads; i++) {
      if (process.env.FLOOR_URL) await timedLoad(page, 'floor', process.env.FLOOR_URL);
      await clearCache();
      await timedLoad(page, 'cold');
      await timedLoad(page, 'warm');
      if (withNojs) await timedLoad(nojs, 'nojs');
      await timedLoad(page, 'rota-cold', base + '/homes/1/rota/');
      await timedLoad(page, 'rota', base + '/homes/1/rota/');
    }
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
