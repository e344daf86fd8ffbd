"""Your own server as the engine: an OpenAI-compatible server on a machine of yours."""
