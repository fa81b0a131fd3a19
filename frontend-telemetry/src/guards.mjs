// What stands between the page and what the browser exports: the settings are checked before anything
// uses them, every URL loses the query parameters nobody named, text is cut to a bound, and a page that
// throws in a loop is reported a few times a minute, not on every throw. Pure functions and one small
// class, without the DOM, so that `node --test` runs them (src/test/js/guards.test.mjs).

/** Longest exception.message (and so log body) sent, in characters. */
export const MAX_MESSAGE = 1024;
/** Longest exception.stacktrace sent, in characters: about the first 30 frames of a minified bundle. */
export const MAX_STACK = 4096;

/**
 * telemetry.json as the script may use it, or why not.
 *
 * @param {unknown} json what telemetry.json parsed to
 * @returns {{settings: {collectorUrl: string, apiOrigins: string[], orderIdParams: string[],
 *   urlQueryParams: string[]}} | {problem: string}} the settings with their defaults (collectorUrl
 *   without trailing slashes), or one sentence saying what is wrong; never throws
 */
export function checkSettings(json) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { problem: 'telemetry.json is not a JSON object' };
  }
  const { collectorUrl, apiOrigins = [], orderIdParams = ['orderId'], urlQueryParams = [] } = json;
  if (typeof collectorUrl !== 'string' || !isHttpUrl(collectorUrl)) {
    return { problem: 'collectorUrl is not an http(s) URL' };
  }
  if (!Array.isArray(apiOrigins) || !apiOrigins.every((origin) => typeof origin === 'string' && isHttpUrl(origin))) {
    return { problem: 'apiOrigins is not a list of http(s) origins' };
  }
  for (const [name, list] of [['orderIdParams', orderIdParams], ['urlQueryParams', urlQueryParams]]) {
    if (!Array.isArray(list) || !list.every((param) => typeof param === 'string' && param !== '')) {
      return { problem: name + ' is not a list of query parameter names' };
    }
  }
  return {
    settings: {
      collectorUrl: collectorUrl.replace(/\/+$/, ''),
      apiOrigins: apiOrigins.map((origin) => origin.replace(/\/+$/, '')),
      orderIdParams: orderIdParams.length ? orderIdParams : ['orderId'],
      urlQueryParams,
    },
  };
}

function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** What a relative URL is resolved against to be taken apart; never in what is returned. */
/**
 * One URL as it may leave the browser: without user name and password, without its fragment, and with
 * only the query parameters named in {@code keep} (the order id's, and any the settings allow); a form
 * sent by GET puts what the user typed in the query.
 *
 * @param {string} text an absolute URL, or a relative one (kept relative: path and query)
 * @param {Set<string>} keep the query parameter names kept
 * @returns {string} the URL so reduced; text that is no URL, cut at its first ? or #
 */
export function reduceUrl(text, keep) {
  const written = String(text);
  let url;
  try {
    // a protocol-relative URL (//host/path) is parsed as one, and handed back without a scheme
    url = new URL(written.startsWith('//') ? 'http:' + written : written);
  } catch {
    // relative: the path as written (search, ../x), the query reduced
    const [, path, query = ''] = /^([^?#]*)(?:\?([^#]*))?/s.exec(written);
    const kept = reduceQuery(query, keep);
    return path + (kept ? '?' + kept : '');
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  url.search = reduceQuery(url.search, keep);
  // written without a path (https://host:8443?x): handed back without the "/" the parser adds
  const href = /^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?#]*(?:[?#]|$)/i.test(written) && url.pathname === '/'
    ? url.href.replace(/^([^/]*\/\/[^/]*)\//, '$1') : url.href;
  return written.startsWith('//') ? href.slice('http:'.length) : href;
}

/**
 * @param {string} query a URL's query, with or without its leading ?
 * @param {Set<string>} keep the parameter names kept
 * @returns {string} the kept parameters, in their order, without a leading ?
 */
export function reduceQuery(query, keep) {
  const kept = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) {
    if (keep.has(name)) {
      kept.append(name, value);
    }
  }
  return kept.toString();
}

/** http(s) URLs inside text (messages, stack traces), up to a space, quote, bracket or parenthesis. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>()[\]{}]+/g;
/** The :line:column a stack frame puts after its script's URL. */
// only after the host's path or query: https://host:8443 is a port, https://host/app.js:12:7 a stack frame's position
const POSITION = /(?<=^https?:\/\/[^/?#]+[/?#].*)(:\d+){1,2}$/s;

/**
 * Text with every http(s) URL in it reduced as {@link reduceUrl} does (a stack frame keeps its
 * :line:column), then cut to {@code max} characters.
 *
 * @param {string} text an error's message or stack trace
 * @param {Set<string>} keep the query parameter names kept
 * @param {number} max the longest text returned, in characters
 * @returns {string}
 */
export function reduceText(text, keep, max) {
  const reduced = String(text).replace(URL_IN_TEXT, (found) => {
    const position = (found.match(POSITION) || [''])[0];
    return reduceUrl(found.slice(0, found.length - position.length), keep) + position;
  });
  return reduced.length > max ? reduced.slice(0, max - 1) + '…' : reduced;
}

/** Attribute keys whose value is a URL (the semantic conventions', old and new) or its query. */
const URL_KEYS = new Set(['url.full', 'http.url', 'url.original', 'http.target', 'url.query', 'url.path']);

/**
 * A span's, event's or log record's attributes as they may leave the browser: URL attributes reduced by
 * {@link reduceUrl} (url.query by {@link reduceQuery}), every other string by {@link reduceText}
 * (exception.stacktrace to {@link MAX_STACK}, the rest to {@link MAX_MESSAGE}).
 *
 * @param {Record<string, unknown>} attributes as the SDK holds them (not changed)
 * @param {Set<string>} keep the query parameter names kept
 * @returns {Record<string, unknown>} a new object
 */
export function reduceAttributes(attributes, keep) {
  const out = {};
  for (const [key, value] of Object.entries(attributes || {})) {
    if (typeof value !== 'string') {
      out[key] = value;
    } else if (key === 'url.query') {
      out[key] = reduceQuery(value, keep);
    } else if (URL_KEYS.has(key)) {
      out[key] = reduceUrl(value, keep);
    } else {
      out[key] = reduceText(value, keep, key === 'exception.stacktrace' ? MAX_STACK : MAX_MESSAGE);
    }
  }
  return out;
}

/**
 * How often one error may be reported: at most {@code perMessage} records per minute for each message
 * and {@code total} for all, so a page throwing in a loop sends a few records, not one a frame.
 */
export class Throttle {
  /**
   * @param {number} perMessage records per minute for one key
   * @param {number} total records per minute for all keys
   * @param {() => number} now the clock, in milliseconds
   */
  constructor(perMessage = 5, total = 30, now = () => Date.now()) {
    this.perMessage = perMessage;
    this.total = total;
    this.now = now;
    this.windowStart = -Infinity;
    this.counts = new Map();
    this.sent = 0;
  }

  /**
   * @param {string} key what makes two reports the same (the kind, type and message)
   * @returns {boolean} whether this one may be sent; counts it if so
   */
  allow(key) {
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.counts.clear();
      this.sent = 0;
    }
    const count = this.counts.get(key) || 0;
    if (count >= this.perMessage || this.sent >= this.total) {
      return false;
    }
    this.counts.set(key, count + 1);
    this.sent++;
    return true;
  }
}
