"""Where the kiosk's parts live on disk, from one config: shared by the UI, the agent and
``kiosk-diag`` so that all three open the same store, keys and folders."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import Config


def open_store(config: Config):
    """The store in ``paths.data_dir``, sealed with the key at ``paths.data_key``.

    The key is loaded, never made (only ``kiosk-provision init`` makes keys): a missing key
    raises :class:`kiosk.crypto.CryptoError`, another store's key
    :class:`kiosk.store.DataKeyMismatch`, each with a one-line message.
    """
    from kiosk.store import open_store as open_

    data_dir = config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return open_(data_dir, config.path(config.paths.data_key))


def catalog_store(config: Config):
    """The catalog: last good fetched (cached in the data folder), else the shipped one."""
    from kiosk.catalog.loader import CatalogStore

    shipped = config.path(config.paths.catalog_dir) if config.paths.catalog_dir else None
    return CatalogStore(config.data_dir / "catalog", shipped)


def runtime_dir(config: Config) -> Path:
    """Heartbeat, device health and the command spool, shared by the UI and the agent."""
    return config.path(config.paths.runtime_dir)
