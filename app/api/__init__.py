"""The OpenAI-compatible API: programs on this computer use the model the app has loaded."""
