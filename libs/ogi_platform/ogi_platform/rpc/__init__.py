"""The gRPC boundary: the server, callers and their tokens, request limits, histories."""
