"""Connectors turn a source (a file share, a register, an ERP) into evidence items."""
