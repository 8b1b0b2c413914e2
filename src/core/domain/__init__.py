"""The domain: plain frozen dataclasses and the rules that hold between them."""
