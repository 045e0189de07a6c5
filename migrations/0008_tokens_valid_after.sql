-- `nexus createsuperuser --promote-existing` ends every token the account's previous holder
-- had, access tokens included: a token whose `iat` (epoch seconds) is earlier than this is
-- refused. NULL (every account until such a promotion) refuses nothing.
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT;
