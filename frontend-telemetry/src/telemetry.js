// Loupe's browser telemetry: the OpenTelemetry JavaScript web SDK, set up once for a legacy front end
// that cannot take a Java agent. A page gets it with one include, before its own scripts:
//
//   <script src="/loupe/telemetry.js" data-service-name="shop-web" data-page="order-form"></script>
//
// data-service-name  the front end's service.name (default "frontend")
// data-page          the page, as app.screen.name on every span and record: it labels the metrics, so it
//                    must be a name, never a path with ids in it (default: the page's path)
//
// The rest comes from telemetry.json beside the script, written where the script is deployed (its
// fields: README.md), so one built file serves every environment. Until it arrives, spans and records
// wait in the batch processors; without it, nothing is sent.
//
// What it sends: page loads (document-load), fetch and XMLHttpRequest spans that carry `traceparent`
// to the front end's own origin and to the API origins named in telemetry.json, and every uncaught
// error and unhandled promise rejection as a log record (and an error span, which the Collector's span
// metrics count) with the order id the page's URL names. What it never sends: what users type. No
// instrumentation here reads form fields, request or response bodies; the user-interaction
// instrumentation, which records clicked elements, is not included; and every URL it exports, in an
// attribute or inside an error's text, keeps only the query parameters the settings name (a form sent
// by GET puts what the user typed in the query), errors' text is cut to a bound (guards.mjs).
//
// It never breaks the page: settings that are missing or wrong leave it off (one console warning), and
// a page that throws in a loop is reported a few times a minute, not on every throw.

import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, StackContextManager, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { checkSettings, MAX_MESSAGE, MAX_STACK, reduceAttributes, reduceText, Throttle } from './guards.mjs';

// Attribute names: OpenTelemetry's semantic conventions, and Loupe's order.id (docs/telemetry-contract.md).
const SCREEN = 'app.screen.name';
const ORDER_ID = 'order.id';

const script = document.currentScript;
const data = (script && script.dataset) || {};
const serviceName = data.serviceName || 'frontend';
const page = data.page || location.pathname;
const settingsUrl = new URL('telemetry.json', (script && script.src) || location.href);

// Taken before the fetch instrumentation wraps it: reading the settings is not the page's work.
const plainFetch = window.fetch.bind(window);

/** The order id of the page's state, from its URL's query (the settings name the parameters), or null. */
function orderIdOf(params) {
  const query = new URLSearchParams(location.search);
  for (const name of params) {
    const value = query.get(name);
    if (value) {
      return value;
    }
  }
  return null;
}

let orderIdParams = ['orderId'];
/** The query parameters an exported URL keeps: the order id's and those the settings allow. */
let keptParams = new Set(orderIdParams);

/** Puts the page and, where the URL names one, the order id on every span as it starts. */
const pageAttributes = {
  onStart(span) {
    span.setAttribute(SCREEN, page);
    const orderId = orderIdOf(orderIdParams);
    if (orderId) {
      span.setAttribute(ORDER_ID, orderId);
    }
  },
  onEnd() {},
  forceFlush() { return Promise.resolve(); },
  shutdown() { return Promise.resolve(); },
};

/**
 * An exporter that waits for the settings: it hands each batch, each item reduced by {@code reduce}, to
 * the OTLP exporter once telemetry.json has named the Collector, and drops it (reporting success, so
 * nothing is retried) when there is none.
 */
function deferredExporter(ready, reduce) {
  return {
    export(items, done) {
      ready.then((exporter) => (exporter ? exporter.export(items.map(reduce), done) : done({ code: 0 })))
        .catch(() => done({ code: 1 }));
    },
    forceFlush() { return ready.then((exporter) => exporter && exporter.forceFlush && exporter.forceFlush()); },
    shutdown() { return ready.then((exporter) => exporter && exporter.shutdown()); },
  };
}

/**
 * An item as it may leave the browser: the same span or record (its prototype, so the exporter reads it
 * as before) with its attributes, events' attributes and body reduced (guards.mjs).
 */
function reduced(item) {
  const copy = Object.create(item);
  Object.defineProperty(copy, 'attributes', { value: reduceAttributes(item.attributes, keptParams) });
  if (Array.isArray(item.events)) {
    Object.defineProperty(copy, 'events', {
      value: item.events.map((event) => ({ ...event, attributes: reduceAttributes(event.attributes, keptParams) })),
    });
  }
  if (typeof item.body === 'string') {
    Object.defineProperty(copy, 'body', { value: reduceText(item.body, keptParams, MAX_MESSAGE + 64) });
  }
  return copy;
}

// Checked before anything uses them: settings that are not what README.md describes leave the script
// off, with one warning, rather than throwing inside the page.
const NOT_JSON = Symbol('not JSON');
const settings = plainFetch(settingsUrl.href, { credentials: 'omit', cache: 'no-cache' })
  .then((response) => (response.ok ? response.json().catch(() => NOT_JSON) : null), () => null)
  .then((json) => {
    if (json === null) {
      return null;
    }
    const checked = json === NOT_JSON ? { problem: 'telemetry.json is not JSON' } : checkSettings(json);
    if (checked.problem) {
      console.warn('Loupe telemetry is off: ' + checked.problem + ' (' + settingsUrl.href + ')');
      return null;
    }
    return checked.settings;
  })
  .catch(() => null);
const collector = settings.then((s) => (s ? s.collectorUrl : null));

/** The OTLP exporter {@code create} makes for the Collector's URL, once known; null without one (or if it fails). */
function exporterOf(create) {
  return collector.then((url) => url && create(url)).catch(() => null);
}

const resource = resourceFromAttributes({
  'service.name': serviceName,
  'service.namespace': 'jewelry',
  'telemetry.distro.name': 'loupe-frontend-telemetry',
});

const tracerProvider = new WebTracerProvider({
  resource,
  spanProcessors: [
    pageAttributes,
    new BatchSpanProcessor(deferredExporter(exporterOf((url) => new OTLPTraceExporter({ url: url + '/v1/traces' })), reduced),
      { scheduledDelayMillis: 1000 }),
  ],
});
tracerProvider.register({ contextManager: new StackContextManager(), propagator: new W3CTraceContextPropagator() });

const loggerProvider = new LoggerProvider({
  resource,
  processors: [
    new BatchLogRecordProcessor({
      exporter: deferredExporter(exporterOf((url) => new OTLPLogExporter({ url: url + '/v1/logs' })), reduced),
      scheduledDelayMillis: 1000,
    }),
  ],
});

const fetchInstrumentation = new FetchInstrumentation({ clearTimingResources: true });
const xhrInstrumentation = new XMLHttpRequestInstrumentation({ clearTimingResources: true });
registerInstrumentations({
  tracerProvider,
  instrumentations: [new DocumentLoadInstrumentation(), fetchInstrumentation, xhrInstrumentation],
});

settings.then((s) => {
  if (!s) {
    return;
  }
  // traceparent goes to the page's own origin (the instrumentations' default) and to the API origins
  // named: never to a third party, and never to the Collector, whose own calls are not traced
  const apiOrigins = s.apiOrigins.map((origin) => new RegExp('^' + escapeRegExp(origin) + '(/|$)'));
  const ignored = [new RegExp('^' + escapeRegExp(s.collectorUrl) + '/')];
  for (const instrumentation of [fetchInstrumentation, xhrInstrumentation]) {
    instrumentation.setConfig({
      ...instrumentation.getConfig(),
      propagateTraceHeaderCorsUrls: apiOrigins,
      ignoreUrls: ignored,
    });
  }
  orderIdParams = s.orderIdParams;
  keptParams = new Set([...s.orderIdParams, ...s.urlQueryParams]);
}).catch(() => {});

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const tracer = tracerProvider.getTracer('loupe-frontend-telemetry');
const logger = loggerProvider.getLogger('loupe-frontend-telemetry');

/** Each message at most 5 times a minute, all of them at most 30: a page throwing in a loop does not flood. */
const throttle = new Throttle(5, 30);

/**
 * One uncaught error or unhandled rejection: an error span (so the Collector's span metrics count the
 * page's errors) and, in its context, a log record with the exception and the order id; unless the
 * same message was reported too often this minute. Never throws into the page.
 */
function report(kind, error, fallbackMessage) {
  try {
    reportOnce(kind, error, fallbackMessage);
  } catch {
    // whatever went wrong here is not the page's error, and must not become one
  }
}

function reportOnce(kind, error, fallbackMessage) {
  const type = String((error && error.name) || (error === undefined || error === null ? 'Error' : typeof error));
  const message = reduceText((error && error.message) || fallbackMessage || String(error), keptParams, MAX_MESSAGE);
  if (!throttle.allow(kind + ' ' + type + ' ' + message)) {
    return;
  }
  const stack = error && error.stack ? reduceText(error.stack, keptParams, MAX_STACK) : undefined;
  const orderId = orderIdOf(orderIdParams);
  const attributes = { [SCREEN]: page, 'exception.type': type, 'exception.message': message };
  if (stack) {
    attributes['exception.stacktrace'] = stack;
  }
  if (orderId) {
    attributes[ORDER_ID] = orderId;
  }
  const span = tracer.startSpan(kind);
  span.addEvent('exception', attributes);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  context.with(trace.setSpan(context.active(), span), () => {
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      eventName: 'browser.' + kind.replace(/ /g, '_'),
      body: kind + ': ' + type + ': ' + message,
      attributes,
    });
  });
  span.end();
}

window.addEventListener('error', (event) => report('uncaught error', event.error, event.message));
window.addEventListener('unhandledrejection', (event) => report('unhandled rejection', event.reason, 'rejected'));

// what is still batched when the user leaves the page goes out before it unloads
window.addEventListener('pagehide', () => {
  tracerProvider.forceFlush();
  loggerProvider.forceFlush();
});
