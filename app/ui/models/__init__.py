"""The models page: the library, the catalog, Hugging Face search, downloads, discovery."""
