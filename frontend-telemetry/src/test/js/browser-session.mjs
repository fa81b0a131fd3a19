// One user at a stand-in front end, in Debian's headless Chromium driven by playwright-core (which
// never downloads a browser here: it is given /usr/bin/chromium). Run by BrowserTelemetryIT:
//
//   node browser-session.mjs <session.json>
//
// session.json: { "chromium": path, "collector": base URL of the Collector's browser receiver,
//   "scenario": "order" | "orders-page" | "search", "page": URL of the page, "form": { field id: value },
//   "model": path of the STL file to upload }
// "search" fills the form's fields and submits it (a GET: the page loads again with them in its URL),
// then waits for the page's answer.
// Prints one JSON object: what the page showed, the order id its URL names, the errors and warnings the
// browser saw,
// whether the form's values went to the API, and every request body the browser sent to the Collector
// (base64) with the Collector's answer.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const session = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const browser = await chromium.launch({ executablePath: session.chromium, headless: true, args: ['--no-sandbox'] });
const result = { exports: [], pageErrors: [], warnings: [], apiRequests: [] };
try {
  const page = await browser.newPage();
  const exports = [];
  page.on('pageerror', (error) => result.pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      result.pageErrors.push('console: ' + message.text());
    } else if (message.type() === 'warning') {
      result.warnings.push(message.text());
    }
  });
  page.on('request', (request) => {
    const body = request.postDataBuffer();
    if (request.url().startsWith(session.collector)) {
      exports.push(request.response().then((response) => ({
        url: request.url(),
        status: response ? response.status() : 0,
        body: body ? body.toString('base64') : '',
      })));
    } else if (request.url().includes('/api/')) {
      result.apiRequests.push({
        method: request.method(),
        url: request.url(),
        traceparent: request.headers()['traceparent'] || null,
        body: body ? body.toString('base64') : '',
      });
    }
  });

  await page.goto(session.page);
  if (session.scenario === 'order') {
    await page.waitForSelector('form[data-ready]');
    for (const [id, value] of Object.entries(session.form)) {
      await page.fill('#' + id, value);
    }
    await page.setInputFiles('#model', session.model);
    await page.click('#place');
    // the confirmation, a refusal, or (with the script-error fault) neither but an error
    await page.waitForFunction(() => document.getElementById('order').dataset.outcome
        || new URLSearchParams(location.search).get('orderId'), null, { timeout: 60_000 });
  } else if (session.scenario === 'search') {
    await page.waitForSelector('body[data-outcome="ready"]');
    for (const [id, value] of Object.entries(session.form)) {
      await page.fill('#' + id, value);
    }
    await Promise.all([page.waitForNavigation(), page.click('#search')]);
    await page.waitForSelector('body[data-outcome="searched"]', { timeout: 60_000 });
  } else {
    await page.waitForSelector('body[data-outcome]', { timeout: 60_000 });
  }
  // the fetch span ends a moment after its response, then the batch processors wait a second
  await page.waitForTimeout(3_000);
  result.outcome = await page.evaluate(() => (document.getElementById('order') || document.body).dataset.outcome || null);
  result.message = await page.textContent('#message');
  result.orderId = await page.evaluate(() => new URLSearchParams(location.search).get('orderId'));
  // leaving the page flushes what is still batched (pagehide)
  await page.goto('about:blank');
  await page.waitForTimeout(2_000);
  result.exports = await Promise.all(exports);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
