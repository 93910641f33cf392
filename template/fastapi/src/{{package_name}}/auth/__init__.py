"""Authentication: built-in users, argon2 hashes, short access tokens, rotating refresh tokens."""
