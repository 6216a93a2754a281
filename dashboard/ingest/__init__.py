"""Records in: /ingest, decoding bodies, parsing fields, safe formatting, levels."""
