"""Roundup KB: domain logic for a topic-indexed newsletter knowledge base (no mkdocs imports)."""
