"""The routes of county-api.md under ``/api/v1``, one module per part of the contract."""
