"""Japanese address text: character folding, normalization and parsing (pure functions)."""
