"""Who answers a user turn: the responder chain (intents, then the knowledge base, then the LLM)."""
