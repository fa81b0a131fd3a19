-- In the Shop DB: only the three columns the default shop-db.query reads. The customer's name, e-mail and
-- phone stay out of the reconciler's reach, not only out of its output.
GRANT SELECT (id, created_at, status) ON orders TO loupe_reconciler;
