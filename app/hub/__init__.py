"""Model manager: catalog, Hugging Face downloads, local library (no Qt)."""
