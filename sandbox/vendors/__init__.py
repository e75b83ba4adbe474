"""Vendor emulations served by ``sandbox.server``: each a ``SandboxRequest -> SandboxResponse`` object."""
