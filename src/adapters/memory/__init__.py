"""In-memory adapters: real implementations for fast use-case tests, held to the same
contract tests as the SQL adapter."""
