"""Accounts, roles, scopes, API tokens and login rate limiting (issue 7)."""
