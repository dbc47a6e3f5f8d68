"""Append-only audit log: one `:AuditEntry` per change, written in the transaction of the change."""
