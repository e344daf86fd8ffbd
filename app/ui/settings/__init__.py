"""The settings page: preferences, the vault's passphrase and recovery key, the access token."""
