-- In the MES DB: only the three columns the default mes-db.query reads.
GRANT SELECT (order_id, received_at, status) ON orders TO loupe_reconciler;
