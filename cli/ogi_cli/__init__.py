"""The ogi command line: run the whole system, and act on applications through the gRPC APIs."""
