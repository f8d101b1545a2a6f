"""Loaded by the schemathesis CLI (SCHEMATHESIS_HOOKS): tus bodies are plain bytes."""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
