// The guards between the page and what the browser exports (src/guards.mjs), with Node's own test
// runner: node --test src/test/js/ (npm test; mvn verify runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSettings, MAX_MESSAGE, MAX_STACK, reduceAttributes, reduceQuery, reduceText, reduceUrl, Throttle }
  from '../../guards.mjs';

const KEEP = new Set(['orderId']);

test('settings of the wrong shape are refused with the field named, never thrown', () => {
  assert.deepEqual(checkSettings({ collectorUrl: 42 }), { problem: 'collectorUrl is not an http(s) URL' });
  assert.deepEqual(checkSettings({ collectorUrl: 'javascript:alert(1)' }), { problem: 'collectorUrl is not an http(s) URL' });
  assert.deepEqual(checkSettings({ collectorUrl: 'https://otel.example', apiOrigins: 'https://api.example' }),
    { problem: 'apiOrigins is not a list of http(s) origins' });
  assert.deepEqual(checkSettings({ collectorUrl: 'https://otel.example', orderIdParams: 'orderId' }),
    { problem: 'orderIdParams is not a list of query parameter names' });
  assert.deepEqual(checkSettings({ collectorUrl: 'https://otel.example', urlQueryParams: [''] }),
    { problem: 'urlQueryParams is not a list of query parameter names' });
  for (const notAnObject of [null, 'https://otel.example', 7, ['https://otel.example']]) {
    assert.deepEqual(checkSettings(notAnObject), { problem: 'telemetry.json is not a JSON object' });
  }
});

test('good settings come back with their defaults and without trailing slashes', () => {
  assert.deepEqual(checkSettings({ collectorUrl: 'https://otel.example//', apiOrigins: ['https://api.example/'] }), {
    settings: {
      collectorUrl: 'https://otel.example', apiOrigins: ['https://api.example'], orderIdParams: ['orderId'], urlQueryParams: [],
    },
  });
  assert.deepEqual(checkSettings({ collectorUrl: 'http://127.0.0.1:4319', orderIdParams: [] }).settings.orderIdParams,
    ['orderId']);
});

test('a URL keeps only the query parameters named, and loses its fragment and credentials', () => {
  assert.equal(reduceUrl('https://shop.example/api/orders?q=Jane+Doe&orderId=42&email=j%40d.example#t=secret', KEEP),
    'https://shop.example/api/orders?orderId=42');
  assert.equal(reduceUrl('https://user:pw@shop.example/search?name=Jane', KEEP), 'https://shop.example/search');
  assert.equal(reduceUrl('https://shop.example/search?name=Jane&page=2', new Set(['page'])),
    'https://shop.example/search?page=2');
  // relative URLs stay relative
  assert.equal(reduceUrl('/api/orders?customer=Jane&orderId=7', KEEP), '/api/orders?orderId=7');
  assert.equal(reduceQuery('?customer=Jane&orderId=7', KEEP), 'orderId=7');
});

test('URLs inside an error text are reduced, a stack frame keeps its line and column, and text is cut', () => {
  const stack = 'TypeError: x is undefined\n    at submit (https://shop.example/order.js?customer=Jane:12:7)\n'
    + '    at https://shop.example/app.js:3:1';
  assert.equal(reduceText(stack, KEEP, MAX_STACK),
    'TypeError: x is undefined\n    at submit (https://shop.example/order.js:12:7)\n    at https://shop.example/app.js:3:1');
  assert.equal(reduceText('Failed to load https://api.example/search?name=Jane%20Doe', KEEP, MAX_MESSAGE),
    'Failed to load https://api.example/search');
  // a port is no position; relative and protocol-relative URLs keep their form
  assert.equal(reduceText('Failed to fetch https://api.example:8443', KEEP, MAX_MESSAGE),
    'Failed to fetch https://api.example:8443');
  assert.equal(reduceText('at https://api.example:8443/app.js?customer=Jane:3:1', KEEP, MAX_STACK),
    'at https://api.example:8443/app.js:3:1');
  assert.equal(reduceUrl('search?name=Jane&orderId=7', KEEP), 'search?orderId=7');
  assert.equal(reduceUrl('//cdn.example/x.js?name=Jane#top', KEEP), '//cdn.example/x.js');
  assert.equal(reduceUrl('//jane:secret@cdn.example/x', KEEP), '//cdn.example/x');
  const long = reduceText('x'.repeat(5000), KEEP, MAX_MESSAGE);
  assert.equal(long.length, MAX_MESSAGE);
});

test('every URL attribute the browser exports, and every other text, is reduced', () => {
  const got = reduceAttributes({
    'url.full': 'https://shop.example/api/orders?q=Jane&orderId=42',
    'http.url': 'https://shop.example/order.html?name=Jane',
    'url.query': 'name=Jane&orderId=42',
    'http.target': '/search?name=Jane',
    'exception.message': 'GET https://shop.example/search?name=Jane failed',
    'exception.stacktrace': 'y'.repeat(10_000),
    'http.response.status_code': 200,
  }, KEEP);
  assert.deepEqual(got, {
    'url.full': 'https://shop.example/api/orders?orderId=42',
    'http.url': 'https://shop.example/order.html',
    'url.query': 'orderId=42',
    'http.target': '/search',
    'exception.message': 'GET https://shop.example/search failed',
    'exception.stacktrace': 'y'.repeat(MAX_STACK - 1) + '…',
    'http.response.status_code': 200,
  });
});

test('a page throwing in a loop is reported a few times a minute, per message and in all', () => {
  let now = 0;
  const throttle = new Throttle(5, 30, () => now);
  const first = Array.from({ length: 100 }, () => throttle.allow('uncaught error TypeError boom'));
  assert.equal(first.filter(Boolean).length, 5);
  // other messages still get through, up to the total
  const others = Array.from({ length: 100 }, (_, i) => throttle.allow('message ' + i));
  assert.equal(others.filter(Boolean).length, 25);
  now += 59_999;
  assert.equal(throttle.allow('uncaught error TypeError boom'), false);
  now += 1;
  assert.equal(throttle.allow('uncaught error TypeError boom'), true);
});
