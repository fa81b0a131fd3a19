// The order form's behaviour, as the legacy front end has it: items from the API, the order posted as
// multipart form data, then the confirmation, with the order id in the URL so it can be bookmarked.
// Two faults of failure point 8 act here (sample-apps/README.md, "Faults"); the page reads the shop's
// fault switch when it loads.
'use strict';

const form = document.getElementById('order');
const message = document.getElementById('message');
let faults = new Set();

async function load() {
  const [items, switches] = await Promise.all([
    fetch('/api/items').then((r) => r.json()),
    fetch('/admin/faults').then((r) => r.json()).catch(() => ({ faults: [] })),
  ]);
  faults = new Set(switches.faults.filter((f) => f.on).map((f) => f.id));
  const select = document.getElementById('item');
  for (const item of items) {
    const option = document.createElement('option');
    option.value = item.id;
    option.textContent = item.name;
    select.append(option);
  }
  form.dataset.ready = 'true';
}

async function place(event) {
  event.preventDefault();
  const body = new FormData(form);
  const size = String(body.get('ringSize') || '').trim();
  if (faults.has('shop-form-us-ring-size') && size) {
    // the new release's converter (inner diameter in mm to US size: 17.3 is US 7) sends the size as
    // the page shows it to customers from the US
    body.set('ringSize', Math.round((Number(size) - 11.63) / 0.8128 * 2) / 2 + ' US');
  }
  message.textContent = 'Placing your order…';
  const response = await fetch('/api/orders', { method: 'POST', body });
  const answer = await response.json();
  if (!response.ok) {
    message.textContent = 'Your order could not be placed: ' + answer.error;
    form.dataset.outcome = 'refused';
    return;
  }
  history.replaceState(null, '', '?orderId=' + encodeURIComponent(answer.orderId));
  showConfirmation(answer);
}

function showConfirmation(order) {
  // the release with the fault expects the API to say when the piece will be delivered; it never does
  const delivery = faults.has('shop-form-script-error') ? order.delivery.estimate.toLocaleDateString() : null;
  message.textContent = 'Thank you: order ' + order.orderId + ' is ' + order.status.toLowerCase()
      + (delivery ? ', delivered by ' + delivery : '') + '.';
  form.dataset.outcome = 'placed';
}

form.addEventListener('submit', (event) => {
  // the returned promise is left unhandled, as the legacy front end leaves it: a script error after the
  // order was placed surfaces only as an unhandled rejection in the browser
  place(event);
});
load();
