CREATE TABLE IF NOT EXISTS items (
  id               INT PRIMARY KEY,
  name             TEXT NOT NULL,
  base_price_cents INT NOT NULL
);
INSERT INTO items (id, name, base_price_cents) VALUES
  (1, 'Signet ring', 42000),
  (2, 'Wedding band', 31000),
  (3, 'Pendant', 27000),
  (4, 'Ear cuff', 19000)
ON CONFLICT (id) DO NOTHING;

CREATE SEQUENCE IF NOT EXISTS order_number_seq;

CREATE TABLE IF NOT EXISTS orders (
  id             TEXT PRIMARY KEY,
  item_id        INT NOT NULL REFERENCES items (id),
  customer_name  TEXT NOT NULL,
  customer_email TEXT NOT NULL,
  customer_phone TEXT,
  ring_size      TEXT,
  engraving      TEXT,
  model_key      TEXT NOT NULL,
  status         TEXT NOT NULL,
  price_cents    INT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_status_created_idx ON orders (status, created_at);
