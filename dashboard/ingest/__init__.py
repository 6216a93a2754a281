"""Records in: /ingest and /v1/logs (OpenTelemetry), decoding bodies, parsing fields, safe formatting, levels."""
