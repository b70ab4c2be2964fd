"""Adapters to the frameworks people already use: ``qa.integrations.llama_index`` (a retriever,
a query engine and an agent tool) and ``qa.integrations.mcp`` (MCP tools). Each imports its
framework only when it is itself imported; ``import qa`` stays light."""
