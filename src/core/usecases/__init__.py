"""Use cases: one class per module, one `async __call__(command)` each."""
