"""The chat page: conversations, the open one, the composer and the model in use."""
