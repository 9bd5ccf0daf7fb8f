"""Clients for outside services; the only modules that open sockets."""
