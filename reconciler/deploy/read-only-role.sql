-- On the Shop DB's server and on the MES DB's server, once, as an administrator: the reconciler's login,
-- read-only in every transaction it opens. Then give it a password: \password loupe_reconciler
CREATE ROLE loupe_reconciler LOGIN;
ALTER ROLE loupe_reconciler SET default_transaction_read_only = on;
