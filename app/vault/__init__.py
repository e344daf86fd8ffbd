"""Encrypted on-device vault (no Qt): key hierarchy and sealed rows; the store builds on these."""
