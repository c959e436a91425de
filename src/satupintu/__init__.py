"""satupintu: one portal, one login, one data exchange for government digital services."""

__version__ = "0.1.0"
