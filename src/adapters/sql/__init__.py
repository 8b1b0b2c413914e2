"""The SQL storage adapter: one implementation for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""
