CREATE TABLE IF NOT EXISTS operators (
  id   INT PRIMARY KEY,
  name TEXT NOT NULL
);
INSERT INTO operators (id, name) VALUES (1, 'Anna'), (2, 'Boris'), (3, 'Chen'), (4, 'Dana'), (5, 'Emil')
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS items (
  id   INT PRIMARY KEY,
  name TEXT NOT NULL
);
INSERT INTO items (id, name) VALUES (1, 'Signet ring'), (2, 'Wedding band'), (3, 'Pendant'), (4, 'Ear cuff')
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS orders (
  order_id         TEXT PRIMARY KEY,
  item_id          INT NOT NULL REFERENCES items (id),
  ring_size        NUMERIC(4, 1),
  engraving        TEXT,
  model_key        TEXT NOT NULL,
  base_price_cents INT NOT NULL,
  status           TEXT NOT NULL,
  price_cents      INT,
  operator_id      INT REFERENCES operators (id),
  received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_status_received_idx ON orders (status, received_at DESC);
