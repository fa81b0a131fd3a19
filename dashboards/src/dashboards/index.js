// Every Loupe dashboard, in the order the folder lists them.
import * as orders from './orders.js';
import * as journey from './journey.js';
import * as service from './service.js';
import * as broker from './broker.js';
import * as databases from './databases.js';
import * as price from './price.js';
import * as pipeline from './pipeline.js';

/** The dashboards' builders; each module's build() returns a DashboardBuilder. */
export const DASHBOARDS = [orders, journey, service, broker, databases, price, pipeline];
