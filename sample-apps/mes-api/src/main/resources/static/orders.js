// The orders page's behaviour, as the legacy front end has it: the orders in one status, twenty at a
// time, and a button to take a priced order into production. One fault of failure point 8 acts here
// (sample-apps/README.md, "Faults"); the page reads the MES fault switch when it loads.
'use strict';

const STATUSES = ['RECEIVED', 'CALCULATING', 'PRICED', 'MODEL_REJECTED', 'IN_PRODUCTION', 'SHIPPED'];
const select = document.getElementById('status');
const rows = document.getElementById('orders');
const message = document.getElementById('message');

async function start() {
  const switches = await fetch('/admin/faults').then((r) => r.json()).catch(() => ({ faults: [] }));
  const retired = switches.faults.some((f) => f.on && f.id === 'mes-page-retired-status');
  // the release with the fault still knows priced orders by their old name
  const statuses = retired ? STATUSES.map((s) => (s === 'PRICED' ? 'QUOTED' : s)) : STATUSES;
  for (const status of statuses) {
    const option = document.createElement('option');
    option.value = status;
    option.textContent = status.toLowerCase().replace('_', ' ');
    select.append(option);
  }
  select.value = retired ? 'QUOTED' : 'PRICED';
  select.addEventListener('change', show);
  await show();
}

async function show() {
  message.textContent = 'Loading…';
  const response = await fetch('/api/orders?status=' + encodeURIComponent(select.value) + '&page=0&size=20');
  const answer = await response.json();
  rows.replaceChildren();
  if (!response.ok) {
    message.textContent = 'The orders could not be loaded: ' + answer.error;
    document.body.dataset.outcome = 'refused';
    return;
  }
  for (const order of answer.orders) {
    const row = document.createElement('tr');
    for (const value of [order.orderId, order.item, order.ringSize, order.status,
      order.priceCents == null ? '' : (order.priceCents / 100).toFixed(2), order.operator || '']) {
      const cell = document.createElement('td');
      cell.textContent = value == null ? '' : value;
      row.append(cell);
    }
    const action = document.createElement('td');
    if (order.status === 'PRICED') {
      const button = document.createElement('button');
      button.textContent = 'Take into production';
      button.addEventListener('click', () => assign(order.orderId));
      action.append(button);
    }
    row.append(action);
    rows.append(row);
  }
  message.textContent = answer.orders.length + ' orders';
  document.body.dataset.outcome = 'shown';
}

async function assign(orderId) {
  history.replaceState(null, '', '?orderId=' + encodeURIComponent(orderId));
  const operatorId = Number(document.getElementById('operator').value);
  const response = await fetch('/api/orders/' + encodeURIComponent(orderId) + '/assign', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ operatorId }),
  });
  message.textContent = response.ok ? 'Order ' + orderId + ' is in production' : 'Order ' + orderId + ' could not be assigned';
  await show();
}

start();
